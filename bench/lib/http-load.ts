// Open-loop HTTP load shared by the HTTP benchmarks: each request has a scheduled send time and its latency is
// measured from it, so a stall counts against every request it delays.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { progress } from './progress.js';

/** How often `onTick` reports progress. */
const TICK_MS = 100;

export interface HttpPhase {
  latencies: number[];
  errors: number;
  seconds: number;
  /** Peak resident memory of this process (app and load generator when the app runs in-process). */
  maxRssMb: number;
}

export interface OpenLoopPosts {
  port: number;
  path: string;
  contentType: string;
  rate: number;
  seconds: number;
  label: string;
  /** The body of the n-th request of the phase. */
  body: (n: number) => Buffer;
  /** The status that counts as success. */
  okStatus?: number;
}

export interface HttpAnswer {
  /** 0 when the connection failed. */
  status: number;
  body: string;
}

/** One POST on loopback; never rejects (a connection failure is status 0). */
export function postTo(
  port: number,
  agent: Agent,
  path: string,
  contentType: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.end(body);
  });
}

export interface OpenLoop {
  rate: number;
  seconds: number;
  /**
   * Starts the n-th item, due at `scheduled` (performance.now() time); its promise settles when the item is done.
   * Called when due whatever the state of earlier items: a slow server never slows the schedule.
   */
  fire: (n: number, scheduled: number) => Promise<void>;
  /** Called about every 100 ms with the number of items started so far. */
  onTick?: (started: number, total: number) => void;
}

/**
 * Runs `rate × seconds` items on schedule, then waits for all of them; returns the elapsed seconds. Each item
 * is started at its own time (within the timer's millisecond), not in coarse ticks: a generator that fires late
 * adds its own delay to every latency measured from the scheduled time.
 */
export async function openLoop(o: OpenLoop): Promise<number> {
  const total = Math.round(o.rate * o.seconds);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const dueAt = (n: number): number => start + (n / o.rate) * 1000;
  let lastTick = -Infinity;
  for (let sent = 0; sent < total; ) {
    const now = performance.now();
    for (; sent < total && dueAt(sent) <= now; sent++) pending.push(o.fire(sent, dueAt(sent)));
    if (now - lastTick >= TICK_MS) {
      lastTick = now;
      o.onTick?.(sent, total);
    }
    if (sent < total) await sleepUntil(dueAt(sent));
  }
  o.onTick?.(total, total);
  await Promise.all(pending);
  return (performance.now() - start) / 1000;
}

/**
 * Waits on a timer, never by spinning: timers have millisecond resolution, so an item may start up to about a
 * millisecond late, and that lateness counts against the app (latency runs from the scheduled time). Spinning on
 * setImmediate for the last fraction kept a core about a third busy at 500/s, taken from the app under test.
 */
function sleepUntil(time: number): Promise<void> {
  const wait = time - performance.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(wait))));
}

/** Sends `rate` POSTs a second for `seconds`, open-loop, and waits for every answer. */
export async function openLoopPosts(o: OpenLoopPosts): Promise<HttpPhase> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const okStatus = o.okStatus ?? 201;
  const latencies: number[] = [];
  let errors = 0;
  let maxRss = process.memoryUsage.rss();
  const seconds = await openLoop({
    rate: o.rate,
    seconds: o.seconds,
    fire: async (n, scheduled) => {
      const { status } = await postTo(o.port, agent, o.path, o.contentType, o.body(n));
      latencies.push(performance.now() - scheduled);
      if (status !== okStatus) errors++;
    },
    onTick: (sent, total) => {
      maxRss = Math.max(maxRss, process.memoryUsage.rss());
      progress(`${o.label}: ${sent}/${total}`);
    },
  });
  maxRss = Math.max(maxRss, process.memoryUsage.rss());
  agent.destroy();
  return { latencies, errors, seconds, maxRssMb: maxRss / 1048576 };
}
