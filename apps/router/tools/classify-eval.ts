/**
 * `npm run classify:eval -- <file.jsonl> [model.json]`: reads lines of {"text","label"} and prints per-class
 * figures, then as its last line `accuracy=… macro_f1=… n=… per_second=…` (one core, this process).
 */
import { readFileSync } from 'node:fs';
import { evaluate, formatEval } from '../src/classifier/evaluation.js';
import { TopicModel } from '../src/classifier/topic-model.js';

const [input, modelPath = 'apps/router/data/topic-model.json'] = process.argv.slice(2);
if (!input) {
  console.error('usage: classify-eval <file.jsonl> [model.json]');
  process.exit(2);
}
const rows = readFileSync(input, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; label: string });
const model = TopicModel.load(modelPath);
for (const row of rows.slice(0, 200)) model.predict(row.text); // warm-up (JIT), so the rate measures steady state
const result = evaluate(model, rows);
for (const [label, c] of Object.entries(result.perClass)) {
  console.log(`${label}\tP=${c.precision.toFixed(3)}\tR=${c.recall.toFixed(3)}\tF1=${c.f1.toFixed(3)}\tn=${c.support}`);
}
console.log(`cpu_per_second=${Math.round(result.cpuPerSecond)} (rows per second of this process's CPU time, one thread)`);
console.log(formatEval(result));
