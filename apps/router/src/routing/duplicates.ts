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
