/** What one benchmark reports; `bench/run.ts` prints every result as a table and saves them under bench/results/. */
export interface BenchRow {
  /** What was measured, e.g. "kafkajs produce (1 KB, acks=all)". */
  name: string;
  /** Items per second, when a rate was measured. */
  throughputPerSec?: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Any other figure, with its unit in the key (e.g. `rssMb`, `cpuPercent`). */
  [extra: string]: string | number | undefined;
}

export interface BenchResult {
  /** The benchmark's name (its file name without `.bench.ts`). */
  bench: string;
  rows: BenchRow[];
  /** Goals from the issues and whether they were met, e.g. "p99 < 100 ms at 200/s: met (41 ms)". */
  goals?: { goal: string; met: boolean; measured: string }[];
  notes?: string[];
}

export interface Benchmark {
  run(): Promise<BenchResult>;
}

/** Percentile of an unsorted list of numbers (nearest-rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
