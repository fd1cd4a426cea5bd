/**
 * A status line a benchmark can update while it runs ("producing 40000/100000"); bench/run.ts shows it next to
 * its spinner. Shared through globalThis because the runner and each benchmark are separate module graphs
 * only when loaded twice; one slot is enough since benchmarks run one at a time.
 */
const SLOT = Symbol.for('wenzheng.bench.progress');

interface ProgressSlot {
  step: string;
}

function slot(): ProgressSlot {
  const g = globalThis as unknown as Record<symbol, ProgressSlot | undefined>;
  g[SLOT] ??= { step: '' };
  return g[SLOT];
}

export function progress(step: string): void {
  slot().step = step;
}

export function currentProgress(): string {
  return slot().step;
}
