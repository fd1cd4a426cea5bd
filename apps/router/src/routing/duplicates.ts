const DROPPED = /[\s\p{P}\p{S}0-9a-zA-Z]+/gu;
/** Per UTF-16 unit: 1 if `DROPPED` drops it, 2 for a surrogate (whose code point decides); built on first use. */
let unitKinds: Uint8Array | undefined;

/**
 * A text's distinct character bigrams, each as its two UTF-16 units in one number (`first << 16 | second`), sorted.
 * One typed array per text instead of a set of two-character strings: the router keeps those of up to 20,000 open
 * cases (`BigramCache`), and as strings they took ≈ 14 KB a case and hundreds of MB of heap for the collector to mark.
 */
export type Bigrams = Uint32Array;

/** Character-bigram Dice similarity: cheap, order-insensitive, tolerant of rewording around the same nouns. */
export function bigrams(text: string): Bigrams {
  // The pairs of the text without the characters `DROPPED` matches: a table read per character is much cheaper
  // than the Unicode-property regex, which only a text with surrogates still goes through.
  unitKinds ??= kindsOfUnits();
  const codes = new Uint32Array(Math.max(0, text.length - 1));
  let size = 0;
  let previous = -1;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const kind = unitKinds[unit];
    if (kind === 2) return pairs(text.replace(DROPPED, ''));
    if (kind === 1) continue;
    if (previous >= 0) codes[size++] = ((previous << 16) | unit) >>> 0;
    previous = unit;
  }
  return distinct(codes.subarray(0, size));
}

function pairs(clean: string): Bigrams {
  const codes = new Uint32Array(Math.max(0, clean.length - 1));
  for (let i = 0; i + 2 <= clean.length; i++) codes[i] = ((clean.charCodeAt(i) << 16) | clean.charCodeAt(i + 1)) >>> 0;
  return distinct(codes);
}

/** Sorted, without repeats, in an array of its own size. */
function distinct(codes: Uint32Array): Bigrams {
  codes.sort();
  let size = 0;
  for (let i = 0; i < codes.length; i++) if (i === 0 || codes[i] !== codes[i - 1]) codes[size++] = codes[i];
  return codes.slice(0, size);
}

function kindsOfUnits(): Uint8Array {
  const dropped = new RegExp(DROPPED.source, 'u');
  const kinds = new Uint8Array(0x10000);
  for (let u = 0; u < kinds.length; u++) kinds[u] = u >= 0xd800 && u <= 0xdfff ? 2 : dropped.test(String.fromCharCode(u)) ? 1 : 0;
  return kinds;
}

export function similarity(a: Bigrams, b: Bigrams): number {
  if (a.length === 0 || b.length === 0) return 0;
  let shared = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return (2 * shared) / (a.length + b.length);
}

export const DUPLICATE_THRESHOLD = 0.45;

/** The most similar candidate at or above the threshold. */
export function findDuplicate<T extends { text: string }>(text: string, candidates: T[], threshold = DUPLICATE_THRESHOLD): T | undefined {
  const grams = bigrams(text);
  let best: { c: T; s: number } | undefined;
  for (const c of candidates) {
    const s = similarity(grams, bigrams(c.text));
    if (s >= threshold && (!best || s > best.s)) best = { c, s };
  }
  return best?.c;
}

/**
 * The open cases of one area indexed by bigram, kept from batch to batch: a check costs the rarer postings the new
 * text shares with them instead of one set comparison per candidate, and a batch costs only the cases that came or
 * went since the last one (`syncTo`) instead of indexing up to 500 candidates again. Of equally similar candidates
 * the one added last wins; `syncTo` adds in the order given (oldest first), so that is the newest case.
 */
export class DuplicateIndex {
  private readonly postings = new Map<number, number[]>();
  private entries: ({ id: string; grams: Bigrams } | undefined)[] = [];
  /** The entries' numbers of bigrams, by index: the candidates are sifted without a visit to each entry. */
  private sizes: number[] = [];
  private readonly slots = new Map<string, number>();
  private shared = new Uint16Array(64);
  private lengthCounts = new Uint32Array(64);

  get size(): number {
    return this.slots.size;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  add(id: string, grams: Bigrams): void {
    if (this.slots.has(id)) return;
    const index = this.entries.length;
    this.entries.push({ id, grams });
    this.sizes.push(grams.length);
    this.slots.set(id, index);
    for (const g of grams) {
      const list = this.postings.get(g);
      if (list) list.push(index);
      else this.postings.set(g, [index]);
    }
  }

  remove(id: string): void {
    const index = this.slots.get(id);
    if (index === undefined) return;
    this.entries[index] = undefined;
    this.slots.delete(id);
    if (this.entries.length > 64 && this.slots.size < this.entries.length / 2) this.compact();
  }

  /**
   * Makes the index hold exactly `ids` (oldest first): the others are removed, the missing ones added with the
   * bigrams `gramsOf` has for them (an id it has none for is left out).
   */
  syncTo(ids: string[], gramsOf: (id: string) => Bigrams | undefined): void {
    const wanted = new Set(ids);
    for (const id of [...this.slots.keys()]) if (!wanted.has(id)) this.remove(id);
    for (const id of ids) {
      if (this.slots.has(id)) continue;
      const grams = gramsOf(id);
      if (grams) this.add(id, grams);
    }
  }

  best(grams: Bigrams, threshold = DUPLICATE_THRESHOLD): string | undefined {
    const q = grams.length;
    if (q === 0 || this.slots.size === 0) return undefined;
    const lists: number[][] = [];
    for (const g of grams) {
      const list = this.postings.get(g);
      if (list) lists.push(list);
    }
    // The fewest shared bigrams that can reach the threshold. An entry sharing s does best when it has no other
    // bigram (2s / (q + s)); computed as the score is, so no entry that would pass is left out by a rounding.
    let need = 1;
    while (need <= lists.length && (2 * need) / (q + need) < threshold) need++;
    if (need > lists.length) return undefined;

    // Prefix filter: an entry sharing `need` or more of the bigrams is in a posting outside any need - 1 of them, so
    // up to need - 1 of the longest postings (the commonest bigrams; picked with a count per length, not a sort)
    // are not walked: those of `cut` entries or more.
    if (this.lengthCounts.length <= this.entries.length) this.lengthCounts = new Uint32Array(this.entries.length * 2);
    const counts = this.lengthCounts;
    let cut = 0;
    for (const list of lists) {
      counts[list.length]++;
      cut = Math.max(cut, list.length + 1);
    }
    let skipped = 0;
    while (cut > 1 && skipped + counts[cut - 1] < need) skipped += counts[--cut];
    for (const list of lists) counts[list.length] = 0;

    // Counts only for the entries in the walked postings (a reused, zeroed array), not a pass over every entry.
    if (this.shared.length < this.entries.length) this.shared = new Uint16Array(Math.max(64, this.entries.length * 2));
    const shared = this.shared;
    const touched: number[] = [];
    for (const list of lists) {
      if (list.length < cut) for (const i of list) if (shared[i]++ === 0) touched.push(i);
    }
    let best = -1;
    let bestScore = 0;
    for (const i of touched) {
      const count = shared[i];
      shared[i] = 0;
      const size = this.sizes[i];
      // Even sharing every skipped bigram too it stays below the threshold: most candidates end here.
      if ((2 * Math.min(count + skipped, size)) / (q + size) < threshold) continue;
      const entry = this.entries[i];
      if (!entry) continue;
      const score = similarity(grams, entry.grams);
      // Ties go to the entry added last.
      if (score >= threshold && (score > bestScore || (score === bestScore && i > best))) [best, bestScore] = [i, score];
    }
    return best < 0 ? undefined : this.entries[best]!.id;
  }

  private compact(): void {
    const live = this.entries.filter((e): e is { id: string; grams: Bigrams } => !!e);
    this.entries = [];
    this.sizes = [];
    this.slots.clear();
    this.postings.clear();
    for (const e of live) this.add(e.id, e.grams);
  }
}

/** Bigrams of case texts already seen, so each batch reads only the texts it has not met before. */
export class BigramCache {
  private readonly grams = new Map<string, Bigrams>();

  constructor(private readonly capacity = 20_000) {}

  get(id: string): Bigrams | undefined {
    return this.grams.get(id);
  }

  set(id: string, grams: Bigrams): void {
    this.grams.set(id, grams);
    if (this.grams.size > this.capacity) this.grams.delete(this.grams.keys().next().value!);
  }
}
