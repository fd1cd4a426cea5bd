// Open-loop HTTP load shared by the HTTP benchmarks: each request has a scheduled send time and its latency is
// measured from it, so a stall counts against every request it delays.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { progress } from './progress.js';

const TICK_MS = 10;

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

function post(port: number, agent: Agent, path: string, contentType: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'Content-Type': contentType, 'Content-Length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Sends `rate` POSTs a second for `seconds`, open-loop, and waits for every answer. */
export async function openLoopPosts(o: OpenLoopPosts): Promise<HttpPhase> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const okStatus = o.okStatus ?? 201;
  const total = o.rate * o.seconds;
  const latencies: number[] = [];
  let errors = 0;
  let maxRss = process.memoryUsage.rss();
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * o.rate) + 1);
    for (; sent < due; sent++) {
      const scheduled = start + (sent / o.rate) * 1000;
      pending.push(
        post(o.port, agent, o.path, o.contentType, o.body(sent)).then((status) => {
          latencies.push(performance.now() - scheduled);
          if (status !== okStatus) errors++;
        }),
      );
    }
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
    if (sent % o.rate < TICK_MS) progress(`${o.label}: ${sent}/${total}`);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await Promise.all(pending);
  maxRss = Math.max(maxRss, process.memoryUsage.rss());
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return { latencies, errors, seconds: elapsed, maxRssMb: maxRss / 1048576 };
}
