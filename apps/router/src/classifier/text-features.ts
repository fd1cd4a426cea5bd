/**
 * Character n-gram features of a Chinese text, hashed into a fixed space. Character n-grams need no
 * dictionary and are robust to the typos and telegraphic style of citizen messages; hashing keeps the
 * model a fixed-size array (no vocabulary to ship) and training/serving share this one function.
 */
export const FEATURE_BITS = 18;
const MASK = (1 << FEATURE_BITS) - 1;

/** FNV-1a over UTF-16 code units, seeded per n-gram order so "ab" the bigram ≠ "ab" of another order. */
function hash(text: string, start: number, end: number, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/[0-9]+/g, '0');
}

export interface SparseVector {
  index: Int32Array;
  value: Float32Array;
}

// Reused between calls (featurize is synchronous): a dense count array plus the list of slots touched.
const scratch = new Uint16Array(1 << FEATURE_BITS);
const touched = new Int32Array(3 * 1500);

/** Sublinear term frequency over 1-, 2- and 3-grams, L2-normalised. */
export function featurize(raw: string, maxChars = 1500): SparseVector {
  const text = normalizeText(raw).slice(0, maxChars);
  let size = 0;
  for (let n = 1; n <= 3; n++) {
    for (let i = 0; i + n <= text.length; i++) {
      const k = hash(text, i, i + n, n);
      if (scratch[k]++ === 0) touched[size++] = k;
    }
  }
  const index = new Int32Array(size);
  const value = new Float32Array(size);
  let norm = 0;
  for (let j = 0; j < size; j++) {
    const k = touched[j];
    const v = 1 + Math.log(scratch[k]);
    scratch[k] = 0;
    index[j] = k;
    value[j] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let j = 0; j < size; j++) value[j] /= norm;
  return { index, value };
}
