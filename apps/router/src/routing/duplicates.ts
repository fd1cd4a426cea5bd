/** Character-bigram Dice similarity: cheap, order-insensitive, tolerant of rewording around the same nouns. */
export function bigrams(text: string): Set<string> {
  const clean = text.replace(/[\s\p{P}\p{S}0-9a-zA-Z]+/gu, '');
  const out = new Set<string>();
  for (let i = 0; i + 2 <= clean.length; i++) out.add(clean.slice(i, i + 2));
  return out;
}

export function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const g of small) if (large.has(g)) shared++;
  return (2 * shared) / (a.size + b.size);
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
 * Open cases of one area indexed by bigram: a check costs the postings the new text shares with them instead
 * of one set comparison per candidate (an area holds up to 500 candidates, a consumer batch 200 new cases).
 * Gives the same answer as `findDuplicate` over the candidates in the order they were added.
 */
export class DuplicateIndex<T> {
  private readonly postings = new Map<string, number[]>();
  private readonly entries: { item: T; size: number }[] = [];

  add(item: T, grams: Set<string>): void {
    const index = this.entries.length;
    this.entries.push({ item, size: grams.size });
    for (const g of grams) {
      const list = this.postings.get(g);
      if (list) list.push(index);
      else this.postings.set(g, [index]);
    }
  }

  best(grams: Set<string>, threshold = DUPLICATE_THRESHOLD): T | undefined {
    if (grams.size === 0 || this.entries.length === 0) return undefined;
    const shared = new Uint16Array(this.entries.length);
    for (const g of grams) for (const i of this.postings.get(g) ?? []) shared[i]++;
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < shared.length; i++) {
      if (shared[i] === 0) continue;
      const score = (2 * shared[i]) / (grams.size + this.entries[i].size);
      if (score >= threshold && score > bestScore) [best, bestScore] = [i, score];
    }
    return best < 0 ? undefined : this.entries[best].item;
  }
}

/** Bigrams of case texts already seen, so each batch reads only the texts it has not met before. */
export class BigramCache {
  private readonly grams = new Map<string, Set<string>>();

  constructor(private readonly capacity = 20_000) {}

  get(id: string): Set<string> | undefined {
    return this.grams.get(id);
  }

  set(id: string, grams: Set<string>): void {
    this.grams.set(id, grams);
    if (this.grams.size > this.capacity) this.grams.delete(this.grams.keys().next().value!);
  }
}
