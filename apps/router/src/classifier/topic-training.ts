/**
 * Training of the topic model (used by apps/router/tools/train-topic.ts, never at run time). Deterministic:
 * fixed row order, seeded shuffles, at most 30 passes.
 *
 * v4 only adds jieba word features (text-features.ts) to v3 and raises C. v3 sums two one-vs-rest linear scorers over the same features, which is the same as averaging their
 * logits (their calibrated temperatures came out equal), so serving stays one weight matrix:
 * - an L2-regularised squared-hinge SVM, solved exactly by dual coordinate descent (liblinear's solver);
 * - an NB-SVM (Wang & Manning 2012): the same SVM on features scaled by the class's naive-Bayes
 *   log-count ratio r, folded back into plain weights (w·(r∘x) = (w∘r)·x).
 */
import { createHash } from 'node:crypto';
import { featurize, TITLE_FEATURES, WORD_FEATURES, type FeatureSpec, type SparseVector } from './text-features.js';
import type { TopicModelFile } from './topic-model.js';

export interface LabelledText {
  text: string;
  label: string;
}

export type Learner = 'svm' | 'nbsvm' | 'svm+nbsvm';

export interface TrainingOptions {
  features: FeatureSpec;
  learner: Learner;
  /** SVM and NB-SVM costs (chosen on a validation slice of the training part, see data/README.md). */
  svmC: number;
  nbsvmC: number;
  /** Additive smoothing of the naive-Bayes counts. */
  nbAlpha: number;
  maxPasses: number;
  seed: number;
}

export const V3_TRAINING: TrainingOptions = {
  features: TITLE_FEATURES,
  learner: 'svm+nbsvm',
  svmC: 3,
  nbsvmC: 3,
  nbAlpha: 1,
  maxPasses: 30,
  seed: 20261127,
};

/** v4 = v3 + jieba words and word pairs of the first 100 characters, C = 30 for both parts (data/README.md). */
export const V4_TRAINING: TrainingOptions = { ...V3_TRAINING, features: WORD_FEATURES, svmC: 30, nbsvmC: 30 };

export interface TrainedWeights {
  classes: string[];
  /** Feature-major: weights[feature * classes + class]. */
  weights: Float32Array;
  bias: Float64Array;
}

export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** First byte of the sha1 of the text: the splits hash the text, so duplicate texts fall on the same side. */
export function textHashByte(text: string): number {
  return createHash('sha1').update(text).digest()[0];
}

/** The 20% hold-out reported in data/README.md (unchanged since v1). */
export function isHoldout(text: string): boolean {
  return textHashByte(text) < 51;
}

/** The validation slice carved out of the training part (≈ 25% of it), for choosing models. */
export function isValidation(text: string): boolean {
  const b = textHashByte(text);
  return b >= 51 && b < 102;
}

/** Cross-validation fold of a text (second sha1 byte, independent of the hold-out byte). */
export function foldOf(text: string, folds: number): number {
  return createHash('sha1').update(text).digest()[1] % folds;
}

/**
 * Binary L2-regularised squared-hinge SVM by dual coordinate descent (Hsieh et al. 2008), with the bias as
 * a constant feature 1. `scale`, when given, multiplies every feature (the NB-SVM); the returned weights
 * already include it.
 */
export function trainBinarySvm(
  xs: SparseVector[],
  y: Int8Array,
  dim: number,
  c: number,
  options: { maxPasses: number; seed: number; scale?: Float64Array },
): { w: Float64Array; b: number } {
  const { scale } = options;
  const n = xs.length;
  const w = new Float64Array(dim);
  let b = 0;
  const alpha = new Float64Array(n);
  const diag = 0.5 / c;
  const q = new Float64Array(n);
  const scaled = xs.map((x) => {
    if (!scale) return x.value;
    const v = new Float32Array(x.value.length);
    for (let j = 0; j < v.length; j++) v[j] = x.value[j] * scale[x.index[j]];
    return v;
  });
  for (let i = 0; i < n; i++) {
    let s = 1 + diag;
    for (const v of scaled[i]) s += v * v;
    q[i] = s;
  }
  const random = mulberry32(options.seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let pass = 0; pass < options.maxPasses; pass++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let largestStep = 0;
    for (const i of order) {
      const index = xs[i].index;
      const value = scaled[i];
      let margin = b;
      for (let j = 0; j < index.length; j++) margin += w[index[j]] * value[j];
      const gradient = y[i] * margin - 1 + diag * alpha[i];
      const projected = alpha[i] === 0 ? Math.min(gradient, 0) : gradient;
      largestStep = Math.max(largestStep, Math.abs(projected));
      if (projected === 0) continue;
      const before = alpha[i];
      alpha[i] = Math.max(before - gradient / q[i], 0);
      const d = (alpha[i] - before) * y[i];
      for (let j = 0; j < index.length; j++) w[index[j]] += d * value[j];
      b += d;
    }
    if (largestStep < 1e-3) break;
  }
  if (scale) for (let f = 0; f < dim; f++) w[f] *= scale[f];
  return { w, b };
}

/** Naive-Bayes log-count ratio of class c against the rest, over feature presence. */
export function nbRatio(xs: SparseVector[], positive: boolean[], dim: number, alpha: number): Float64Array {
  const p = new Float64Array(dim).fill(alpha);
  const q = new Float64Array(dim).fill(alpha);
  xs.forEach((x, i) => {
    const counts = positive[i] ? p : q;
    for (const f of x.index) counts[f] += 1;
  });
  let sp = 0;
  let sq = 0;
  for (let f = 0; f < dim; f++) {
    sp += p[f];
    sq += q[f];
  }
  const r = new Float64Array(dim);
  for (let f = 0; f < dim; f++) r[f] = Math.log(p[f] / sp) - Math.log(q[f] / sq);
  return r;
}

export function trainTopicWeights(rows: LabelledText[], options: TrainingOptions): TrainedWeights {
  const classes = [...new Set(rows.map((r) => r.label))].sort();
  const k = classes.length;
  const dim = 1 << options.features.bits;
  const xs = rows.map((r) => featurize(r.text, options.features));
  const weights = new Float32Array(dim * k);
  const bias = new Float64Array(k);
  classes.forEach((label, c) => {
    const positive = rows.map((r) => r.label === label);
    const y = Int8Array.from(positive, (p) => (p ? 1 : -1));
    const parts: { w: Float64Array; b: number }[] = [];
    const solver = { maxPasses: options.maxPasses, seed: options.seed + c };
    if (options.learner !== 'nbsvm') parts.push(trainBinarySvm(xs, y, dim, options.svmC, solver));
    if (options.learner !== 'svm') {
      const scale = nbRatio(xs, positive, dim, options.nbAlpha);
      parts.push(trainBinarySvm(xs, y, dim, options.nbsvmC, { ...solver, scale }));
    }
    for (const part of parts) {
      for (let f = 0; f < dim; f++) weights[f * k + c] += part.w[f];
      bias[c] += part.b;
    }
  });
  return { classes, weights, bias };
}

/**
 * Scales the summed scores before the softmax that gives the confidence: each part's best temperature on
 * the validation slice was 4, and the mean of two logits × 4 is their sum × 2.
 */
export const TEMPERATURE = 2;

/** Int8 weights with one scale per class (no measurable loss on the hold-out). */
export function quantise(trained: TrainedWeights, options: TrainingOptions, trainedOn: TopicModelFile['trainedOn']): TopicModelFile {
  const { weights, bias, classes } = trained;
  const k = classes.length;
  const max = new Array<number>(k).fill(1e-9);
  for (let i = 0; i < weights.length; i++) max[i % k] = Math.max(max[i % k], Math.abs(weights[i]));
  const scales = max.map((m) => m / 127);
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i] / scales[i % k]);
  return {
    format: options.features.words ? 'wz-topic-linear-v4' : 'wz-topic-linear-v3',
    features: options.features,
    temperature: TEMPERATURE,
    classes,
    scales,
    bias: Array.from(bias, (b) => Math.round(b * 1e6) / 1e6),
    weights: Buffer.from(q.buffer).toString('base64'),
    trainedOn,
  };
}
