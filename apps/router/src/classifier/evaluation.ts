import type { TopicModel } from './topic-model.js';

export interface EvalResult {
  accuracy: number;
  macroF1: number;
  n: number;
  perSecond: number;
  /** Rows per second of this process's CPU time: the one-core rate even when other processes share the core. */
  cpuPerSecond: number;
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
}

export function evaluate(model: Pick<TopicModel, 'predict'>, rows: { text: string; label: string }[]): EvalResult {
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const predicted = rows.map((r) => model.predict(r.text).label);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const perClass: EvalResult['perClass'] = {};
  let correct = 0;
  rows.forEach((r, i) => (correct += predicted[i] === r.label ? 1 : 0));
  for (const label of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    rows.forEach((r, i) => {
      if (predicted[i] === label && r.label === label) tp++;
      else if (predicted[i] === label) fp++;
      else if (r.label === label) fn++;
    });
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[label] = { precision, recall, f1, support: tp + fn };
  }
  const f1s = Object.values(perClass).map((c) => c.f1);
  return {
    accuracy: rows.length ? correct / rows.length : 0,
    macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0,
    n: rows.length,
    perSecond: seconds > 0 ? rows.length / seconds : 0,
    cpuPerSecond: cpuSeconds > 0 ? rows.length / cpuSeconds : 0,
    perClass,
  };
}

export function formatEval(r: EvalResult): string {
  return `accuracy=${r.accuracy.toFixed(4)} macro_f1=${r.macroF1.toFixed(4)} n=${r.n} per_second=${Math.round(r.perSecond)}`;
}
