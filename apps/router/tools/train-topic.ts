/**
 * Trains the topic classifier deterministically and writes apps/router/data/topic-model.json.
 * Usage (after `npm run build`):
 *   node dist/apps/router/tools/train-topic.js <topic-train.jsonl> [model.json] [flags]
 * Without a split flag the model is trained on every row (what is committed). Split flags (figures only):
 *   --validation  train on the training part minus its validation slice, print the validation figures
 *                 (this is what models are chosen on);
 *   --holdout     train on the 80% training part, print the figures of the 20% hash hold-out;
 *   --cv 5        5-fold cross-validation over all rows, print each fold and the mean.
 * Model flags (to reproduce the rows of data/README.md): --learner svm|nbsvm|svm+nbsvm, --plain (v2's
 * features: no title space), --bits N (v3 = --words none --svm-c 3 --nbsvm-c 3), --words W|none (jieba word space of weight W), --word-min N (shortest
 * word kept, default 2), --word-bigrams, --word-chars N (segment only the first N characters), --svm-c C, --nbsvm-c C.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { evaluate, formatEval, type EvalResult } from '../src/classifier/evaluation.js';
import { PLAIN_FEATURES } from '../src/classifier/text-features.js';
import { TopicModel, type TopicModelFile } from '../src/classifier/topic-model.js';
import {
  foldOf,
  isHoldout,
  isValidation,
  quantise,
  trainTopicWeights,
  V4_TRAINING,
  type LabelledText,
  type Learner,
  type TrainingOptions,
} from '../src/classifier/topic-training.js';

function flagValue(flags: string[], name: string): string | undefined {
  const at = flags.indexOf(name);
  return at >= 0 ? flags[at + 1] : undefined;
}

function optionsFrom(flags: string[]): TrainingOptions {
  const options: TrainingOptions = { ...V4_TRAINING, features: { ...V4_TRAINING.features } };
  const learner = flagValue(flags, '--learner');
  if (learner !== undefined) {
    if (!['svm', 'nbsvm', 'svm+nbsvm'].includes(learner)) throw new Error(`unknown learner ${learner}`);
    options.learner = learner as Learner;
  }
  if (flags.includes('--plain')) options.features = { ...PLAIN_FEATURES };
  const bits = flagValue(flags, '--bits');
  if (bits !== undefined) options.features.bits = Number(bits);
  const words = flagValue(flags, '--words');
  if (words !== undefined) {
    options.features.words = words === 'none' ? undefined : {
      weight: Number(words),
      minLength: Number(flagValue(flags, '--word-min') ?? 2),
      bigrams: flags.includes('--word-bigrams'),
      maxChars: Number(flagValue(flags, '--word-chars') ?? 1500),
    };
  }
  const svmC = flagValue(flags, '--svm-c');
  if (svmC !== undefined) options.svmC = Number(svmC);
  const nbsvmC = flagValue(flags, '--nbsvm-c');
  if (nbsvmC !== undefined) options.nbsvmC = Number(nbsvmC);
  return options;
}

function main(): void {
  const [input, output = 'apps/router/data/topic-model.json', ...flags] = process.argv.slice(2);
  if (!input) throw new Error('usage: train-topic <topic-train.jsonl> [model.json] [--validation|--holdout|--cv 5] [--learner …] [--plain]');
  const raw = readFileSync(input, 'utf8');
  const rows: LabelledText[] = raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LabelledText);
  const options = optionsFrom(flags);
  const trainedOn = (n: number): TopicModelFile['trainedOn'] => ({
    source: 'topic-train.jsonl (2020 Teddy Cup problem C, see apps/router/data/README.md)',
    rows: n,
    sha256: createHash('sha256').update(raw).digest('hex'),
    command: `train-topic ${['<topic-train.jsonl>', output, ...flags].join(' ')}`,
  });
  const fit = (train: LabelledText[]): TopicModelFile => quantise(trainTopicWeights(train, options), options, trainedOn(train.length));
  const report = (what: string, train: LabelledText[], test: LabelledText[]): EvalResult => {
    const started = Date.now();
    const file = fit(train);
    const result = evaluate(new TopicModel(file), test);
    console.log(`${what}: trained on ${train.length} rows in ${Date.now() - started} ms; ${formatEval(result)}`);
    lastModel = file;
    return result;
  };
  let lastModel: TopicModelFile | undefined;

  const folds = flagValue(flags, '--cv');
  if (folds !== undefined) {
    const k = Number(folds);
    const results = Array.from({ length: k }, (_, f) =>
      report(`fold ${f + 1}/${k}`, rows.filter((r) => foldOf(r.text, k) !== f), rows.filter((r) => foldOf(r.text, k) === f)),
    );
    const mean = (pick: (r: EvalResult) => number): string => (results.reduce((s, r) => s + pick(r), 0) / k).toFixed(4);
    console.log(`cv${k} mean accuracy=${mean((r) => r.accuracy)} macro_f1=${mean((r) => r.macroF1)} n=${rows.length}`);
    return;
  }
  if (flags.includes('--validation')) {
    const train = rows.filter((r) => !isHoldout(r.text) && !isValidation(r.text));
    report('validation', train, rows.filter((r) => isValidation(r.text)));
    writeFileSync(output, JSON.stringify(lastModel));
    return;
  }
  if (flags.includes('--holdout')) {
    const train = rows.filter((r) => !isHoldout(r.text));
    const file = fit(train);
    console.log(formatEval(evaluate(new TopicModel(file), rows.filter((r) => isHoldout(r.text)))));
    writeFileSync(output, JSON.stringify(file));
    return;
  }
  const started = Date.now();
  const file = fit(rows);
  console.log(`trained on ${rows.length} rows in ${Date.now() - started} ms`);
  writeFileSync(output, JSON.stringify(file));
}

main();
