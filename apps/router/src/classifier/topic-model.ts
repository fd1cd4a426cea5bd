import { readFileSync } from 'node:fs';
import { featurize, type FeatureSpec, type SparseVector } from './text-features.js';
import { segmentWords } from './word-segmenter.js';

/**
 * The file the training tool writes: one linear scorer per class over hashed character n-grams, weights
 * quantised to int8. How the weights were obtained (v3: the sum of a linear SVM and an NB-SVM, see
 * topic-training.ts) does not matter to serving. The confidence is a softmax over the scores × `temperature`.
 * v4 files may add jieba word features (`features.words`); v3 files never have them and featurise the same.
 */
export interface TopicModelFile {
  format: 'wz-topic-linear-v3' | 'wz-topic-linear-v4';
  features: FeatureSpec;
  temperature: number;
  classes: string[];
  /** Per-class dequantisation factor: weight = int8 × scale. */
  scales: number[];
  bias: number[];
  /** Base64 of an Int8Array laid out feature-major: weights[feature * classes + class]. */
  weights: string;
  trainedOn: { source: string; rows: number; sha256: string; command: string };
}

export interface TopicPrediction {
  label: string;
  confidence: number;
  /** Every class with its probability, best first. */
  ranked: { label: string; p: number }[];
}

export class TopicModel {
  private readonly weights: Float32Array;

  constructor(readonly file: TopicModelFile) {
    const k = file.classes.length;
    if (file.format !== 'wz-topic-linear-v3' && file.format !== 'wz-topic-linear-v4') {
      throw new Error(`unsupported topic model ${String(file.format)}`);
    }
    const q = new Int8Array(Buffer.from(file.weights, 'base64').buffer.slice(0));
    if (q.length !== (1 << file.features.bits) * k) throw new Error('topic model weights do not match its feature space');
    this.weights = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) this.weights[i] = q[i] * file.scales[i % k];
    if (file.features.words) segmentWords('载入词典'); // the dictionary loads now, not on the first inquiry
  }

  static load(path: string): TopicModel {
    return new TopicModel(JSON.parse(readFileSync(path, 'utf8')) as TopicModelFile);
  }

  get classes(): string[] {
    return this.file.classes;
  }

  predict(text: string): TopicPrediction {
    return this.predictVector(featurize(text, this.file.features));
  }

  predictVector(x: SparseVector): TopicPrediction {
    const margins = scores(this.weights, this.file.bias, x);
    for (let c = 0; c < margins.length; c++) margins[c] *= this.file.temperature;
    const probs = softmax(margins);
    const ranked = this.file.classes.map((label, i) => ({ label, p: probs[i] })).sort((a, b) => b.p - a.p);
    return { label: ranked[0].label, confidence: ranked[0].p, ranked };
  }
}

export function scores(weights: Float32Array, bias: ArrayLike<number>, x: SparseVector): Float64Array {
  const k = bias.length;
  const out = Float64Array.from(bias);
  for (let j = 0; j < x.index.length; j++) {
    const base = x.index[j] * k;
    const v = x.value[j];
    for (let c = 0; c < k; c++) out[c] += weights[base + c] * v;
  }
  return out;
}

export function softmax(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) sum += out[i] = Math.exp(z[i] - max);
  for (let i = 0; i < z.length; i++) out[i] /= sum;
  return out;
}
