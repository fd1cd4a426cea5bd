/**
 * Character n-gram features of a Chinese text, hashed into a fixed space. Character n-grams need no
 * dictionary and are robust to the typos and telegraphic style of citizen messages; hashing keeps the
 * model a fixed-size array (no vocabulary to ship) and training/serving share this one function. v4 adds
 * jieba words as a further hashed space (segmentation is what bounds serving speed).
 */
import { segmentWords } from './word-segmenter.js';

/** Which features a model was trained on; recorded in the model file so serving featurises the same way. */
export interface FeatureSpec {
  /** log2 of the hashed space. */
  bits: number;
  /**
   * The subject of a message says most about its topic: the first `titleChars` characters get a second,
   * separate n-gram space weighted `titleWeight`. Only for texts longer than `titleMinChars`: a one-line
   * message has no subject/body structure, and doubling its n-grams only moves it away from the corpus.
   */
  titleChars: number;
  titleWeight: number;
  titleMinChars: number;
  /**
   * jieba words (see word-segmenter.ts) as a third hashed space, weighted `weight`: words of at least
   * `minLength` characters, and with `bigrams` the pairs of consecutive words, of the first `maxChars`
   * characters. Absent: no segmentation.
   */
  words?: { weight: number; minLength: number; bigrams: boolean; maxChars: number };
}

/** v2's features: character 1–3-grams of the whole text only. */
export const PLAIN_FEATURES: FeatureSpec = { bits: 18, titleChars: 0, titleWeight: 0, titleMinChars: 0 };
export const TITLE_FEATURES: FeatureSpec = { bits: 18, titleChars: 20, titleWeight: 2, titleMinChars: 40 };
/** v4: v3's + jieba words (≥ 2 characters) and word pairs of the first 100 characters, weight 1. */
export const WORD_FEATURES: FeatureSpec = {
  ...TITLE_FEATURES,
  words: { weight: 1, minLength: 2, bigrams: true, maxChars: 100 },
};

/** FNV-1a over UTF-16 code units, seeded per n-gram order and space so the same characters differ by role. */
function hash(text: string, start: number, end: number, seed: number, mask: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & mask;
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

const TITLE_SEED = 100;
const WORD_SEED = 200;
const WORD_PAIR_SEED = 300;
const MAX_CHARS = 1500;

// Reused between calls (featurize is synchronous): a dense count array, the slots touched, the output.
let scratch = new Uint16Array(0);
const touched = new Int32Array(3 * MAX_CHARS);
const outIndex = new Int32Array(8 * MAX_CHARS);
const outValue = new Float32Array(8 * MAX_CHARS);

/** Appends the 1-, 2- and 3-grams of `part`, hashed with `seed`, with sublinear weights × `weight`. */
function addSpace(part: string, seed: number, weight: number, mask: number, size: number): number {
  let touchedSize = 0;
  for (let n = 1; n <= 3; n++) {
    for (let i = 0; i + n <= part.length; i++) {
      const k = hash(part, i, i + n, seed + n, mask);
      if (scratch[k]++ === 0) touched[touchedSize++] = k;
    }
  }
  for (let j = 0; j < touchedSize; j++) {
    const k = touched[j];
    outIndex[size] = k;
    outValue[size++] = weight * (1 + Math.log(scratch[k]));
    scratch[k] = 0;
  }
  return size;
}

/**
 * Appends the words of the first `words.maxChars` characters (and the pairs of consecutive words), hashed,
 * with sublinear weights × `weight`. Segmentation is the costly step (~150 µs for an average 283-character
 * message), hence the cap; a pair's hash mixes its words' hashes instead of hashing a joined string.
 */
function addWords(text: string, words: NonNullable<FeatureSpec['words']>, mask: number, size: number): number {
  const tokens = segmentWords(text.slice(0, words.maxChars));
  let touchedSize = 0;
  let previous = -1;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const full = hash(token, 0, token.length, WORD_SEED, 0xffffffff) >>> 0;
    if (token.length >= words.minLength) {
      const k = full & mask;
      if (scratch[k]++ === 0) touched[touchedSize++] = k;
    }
    if (words.bigrams && previous >= 0) {
      const k = (Math.imul(previous ^ WORD_PAIR_SEED, 0x9e3779b1) ^ full) & mask;
      if (scratch[k]++ === 0) touched[touchedSize++] = k;
    }
    previous = full;
  }
  for (let j = 0; j < touchedSize; j++) {
    const k = touched[j];
    outIndex[size] = k;
    outValue[size++] = words.weight * (1 + Math.log(scratch[k]));
    scratch[k] = 0;
  }
  return size;
}

/** Sublinear term frequency over 1-, 2- and 3-grams (plus the title space), L2-normalised. */
export function featurize(raw: string, spec: FeatureSpec = PLAIN_FEATURES): SparseVector {
  if (scratch.length !== 1 << spec.bits) scratch = new Uint16Array(1 << spec.bits);
  const mask = (1 << spec.bits) - 1;
  const text = normalizeText(raw).slice(0, MAX_CHARS);
  let size = addSpace(text, 0, 1, mask, 0);
  if (spec.titleChars > 0 && text.length > spec.titleMinChars) {
    size = addSpace(text.slice(0, spec.titleChars), TITLE_SEED, spec.titleWeight, mask, size);
  }
  if (spec.words) size = addWords(text, spec.words, mask, size);
  let norm = 0;
  for (let j = 0; j < size; j++) norm += outValue[j] * outValue[j];
  norm = Math.sqrt(norm) || 1;
  const value = outValue.slice(0, size);
  for (let j = 0; j < size; j++) value[j] /= norm;
  return { index: outIndex.slice(0, size), value };
}
