/**
 * Trains the topic classifier deterministically (fixed split, fixed shuffle seed, fixed epochs) and writes
 * apps/router/data/topic-model.json. Usage (after `npm run build`):
 *   node dist/apps/router/tools/train-topic.js <topic-train.jsonl> [model.json] [--holdout]
 * `--holdout` keeps 20% of the rows (chosen by a hash of the text) out of training and prints the held-out
 * accuracy; without it the model is trained on every row (what is committed).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { FEATURE_BITS, featurize, type SparseVector } from '../src/classifier/text-features.js';
import { scores, TopicModel, type TopicModelFile } from '../src/classifier/topic-model.js';
import { evaluate, formatEval } from '../src/classifier/evaluation.js';

interface Row {
  text: string;
  label: string;
}

// One-vs-rest hinge loss (linear SVMs) by SGD with L2, chosen on the 20% hash hold-out: it beats the softmax
// regression of v1 (see apps/router/data/README.md for the figures and what did not help).
const EPOCHS = 30;
const LAMBDA = 1e-6;
const LR0 = 0.5;
/** Scales SVM margins (about ±1) before the softmax that gives the confidence. */
const TEMPERATURE = 3;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function isHoldout(text: string): boolean {
  return createHash('sha1').update(text).digest()[0] < 51; // ≈ 20%
}

export function train(rows: Row[]): { weights: Float32Array; bias: Float64Array; classes: string[] } {
  const classes = [...new Set(rows.map((r) => r.label))].sort();
  const k = classes.length;
  const xs: SparseVector[] = rows.map((r) => featurize(r.text));
  const ys = rows.map((r) => classes.indexOf(r.label));
  const weights = new Float32Array((1 << FEATURE_BITS) * k);
  const bias = new Float64Array(k);
  const random = mulberry32(20261127);
  const order = rows.map((_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      const lr = LR0 / (1 + step++ / order.length);
      const x = xs[i];
      // Sub-gradient of the hinge loss of each one-vs-rest classifier: -y where the margin is below 1.
      const z = scores(weights, bias, x);
      const p = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        const y = c === ys[i] ? 1 : -1;
        if (y * z[c] < 1) p[c] = -y;
      }
      const decay = 1 - lr * LAMBDA;
      for (let j = 0; j < x.index.length; j++) {
        const base = x.index[j] * k;
        for (let c = 0; c < k; c++) weights[base + c] = weights[base + c] * decay - lr * p[c] * x.value[j];
      }
      for (let c = 0; c < k; c++) bias[c] -= lr * p[c];
    }
  }
  return { weights, bias, classes };
}

export function quantise(
  weights: Float32Array,
  bias: Float64Array,
  classes: string[],
  trainedOn: TopicModelFile['trainedOn'],
): TopicModelFile {
  const k = classes.length;
  const max = new Array<number>(k).fill(1e-9);
  for (let i = 0; i < weights.length; i++) max[i % k] = Math.max(max[i % k], Math.abs(weights[i]));
  const scales = max.map((m) => m / 127);
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i] / scales[i % k]);
  return {
    format: 'wz-topic-linear-v2',
    featureBits: FEATURE_BITS,
    temperature: TEMPERATURE,
    classes,
    scales,
    bias: Array.from(bias, (b) => Math.round(b * 1e6) / 1e6),
    weights: Buffer.from(q.buffer).toString('base64'),
    trainedOn,
  };
}

function main(): void {
  const [input, output = 'apps/router/data/topic-model.json', ...flags] = process.argv.slice(2);
  if (!input) throw new Error('usage: train-topic <topic-train.jsonl> [model.json] [--holdout]');
  const raw = readFileSync(input, 'utf8');
  const rows: Row[] = raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
  const holdout = flags.includes('--holdout');
  const trainRows = holdout ? rows.filter((r) => !isHoldout(r.text)) : rows;
  const started = Date.now();
  const { weights, bias, classes } = train(trainRows);
  const file = quantise(weights, bias, classes, {
    source: 'topic-train.jsonl (2020 Teddy Cup problem C, see apps/router/data/README.md)',
    rows: trainRows.length,
    sha256: createHash('sha256').update(raw).digest('hex'),
  });
  console.log(`trained on ${trainRows.length} rows in ${Date.now() - started} ms`);
  if (holdout) {
    const model = new TopicModel(file);
    const test = rows.filter((r) => isHoldout(r.text));
    console.log(formatEval(evaluate(model, test)));
  }
  writeFileSync(output, JSON.stringify(file));
}

main();
