// The open-loop push load shared by the channel benchmarks (ingest-wechat, ingest-weibo): each push has a scheduled
// send time and its latency is measured from that time, so a stall counts against every push it delays (no
// coordinated omission). The load runs in a worker thread of the benchmark's own file, so generating and signing
// pushes does not share the app's event loop (in production the vendor is on the other side of the network).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { percentile, type BenchRow } from './bench-result.js';
import { openLoop } from './http-load.js';
import { progress } from './progress.js';
import { RawHttpClient, rawPost } from './raw-http.js';

export interface Phase {
  latencies: number[];
  errors: number;
  /** Failed pushes by HTTP status, or `connection` when no answer came. */
  errorKinds: Record<string, number>;
  seconds: number;
  /** CPU of the whole process (app and load worker together), in percent of one core. */
  cpuPercent: number;
}

export interface LoadRequest {
  port: number;
  rate: number;
  seconds: number;
  label: string;
  /** Anything the benchmark's push factory needs (e.g. the mode). */
  options?: Record<string, string>;
  /**
   * The citizens' population (their ids) and the first push of its script: a measured phase continues the
   * conversations of its warm-up, so it starts in the steady state (a quarter of the pushes from new citizens)
   * instead of with every citizen new.
   */
  population?: { run: string; firstPush: number };
}

/** A fresh population of citizens for `LoadRequest.population`. */
export const newPopulation = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export interface PushSource {
  next(): { path: string; body: string };
  contentType: string;
}

/** Sends `rate` pushes a second for `seconds`, open-loop, and waits for every answer. */
async function load({ port, rate, seconds, label }: LoadRequest, source: PushSource, report: (step: string) => void): Promise<Phase> {
  const client = new RawHttpClient(port);
  const latencies: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  // Signed (and encrypted) and serialised before the clock starts: the vendor's work is not the app's, and on a
  // machine of two cores it would otherwise take CPU from the app during the measured phase. Timestamps stay well
  // inside the window.
  const pushes = Array.from({ length: Math.round(rate * seconds) }, () => {
    const push = source.next();
    return rawPost(push.path, source.contentType, push.body);
  });
  const cpu = process.cpuUsage();
  const elapsed = await openLoop({
    rate,
    seconds,
    fire: async (n, scheduled) => {
      const status = await client.send(pushes[n]).catch(() => 0);
      latencies.push(performance.now() - scheduled);
      if (status !== 200) {
        errors++;
        const kind = status === 0 ? 'connection' : String(status);
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
    },
    onTick: (sent, total) => report(`${label}: ${sent}/${total}`),
  });
  const used = process.cpuUsage(cpu);
  client.close();
  return { latencies, errors, errorKinds, seconds: elapsed, cpuPercent: Math.round(((used.user + used.system) / 1e6 / elapsed) * 100) };
}

/** Runs one load phase in a worker thread started from `benchFile` (which calls `serveLoadWorker`). */
export function loadInWorker(benchFile: string | URL, marker: string, request: LoadRequest): Promise<Phase> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(benchFile), { workerData: { ...request, [marker]: true } });
    worker.on('message', (message: { progress?: string; phase?: Phase }) => {
      if (message.progress) progress(message.progress);
      if (message.phase) resolve(message.phase);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`load worker exited with ${code}`))));
  });
}

/** In the worker thread started by `loadInWorker` with this `marker`: runs the load with the file's push source. */
export function serveLoadWorker(marker: string, sourceOf: (request: LoadRequest) => PushSource): void {
  if (isMainThread || !(workerData as Record<string, unknown> | null)?.[marker]) return;
  const request = workerData as LoadRequest;
  void load(request, sourceOf(request), (step) => parentPort!.postMessage({ progress: step })).then((phase) => {
    parentPort!.postMessage({ phase });
    process.exit(0);
  });
}

export const round = (n: number): number => Math.round(n * 10) / 10;

export function rowOf(name: string, phase: Phase): BenchRow {
  return {
    name,
    throughputPerSec: Math.round(phase.latencies.length / phase.seconds),
    p50Ms: round(percentile(phase.latencies, 50)),
    p95Ms: round(percentile(phase.latencies, 95)),
    p99Ms: round(percentile(phase.latencies, 99)),
    maxMs: round(Math.max(...phase.latencies)),
    pushes: phase.latencies.length,
    errors: phase.errors,
    ...(phase.errors > 0 ? { errorKinds: Object.entries(phase.errorKinds).map(([k, n]) => `${k} ${n}`).join(' / ') } : {}),
    cpuPercent: phase.cpuPercent,
    // Other work on the machine skews every figure; the runner records the load at start, this is at the end.
    loadAverage1m: round(loadavg()[0]),
  };
}

/**
 * Whose turn the n-th push is and at which step of the conversation script: `users` citizens take turns, so
 * each one's messages are `users` pushes apart. Citizen u starts at step u % steps, so every step is an equal
 * share of the pushes at any moment (in life citizens do not all press 提交 in the same two seconds); after
 * the last step a new citizen (the next `generation`) takes the place.
 */
export function scriptTurn(n: number, users: number, steps: number): { step: number; user: number; generation: number } {
  const user = n % users;
  const shifted = Math.floor(n / users) + (user % steps);
  return { step: shifted % steps, user, generation: Math.floor(shifted / steps) };
}
