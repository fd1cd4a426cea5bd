// The Weibo push endpoint under load (issue 5, item 9): p50/p99 latency at 500 pushes/s, open-loop (see
// lib/push-load.ts). Goal, as for WeChat: p99 under 50 ms at 500/s on this machine. 1,000 citizens talk at once
// following a realistic script — a long text that opens a draft, a short addition, a position, then 提交 (which
// writes inquiry.submitted.v1 to the outbox). BENCH_SCALE multiplies the seconds.
import type { AddressInfo } from 'node:net';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { readIngestWeiboConfig } from '../apps/ingest-weibo/src/config.js';
import { IngestWeiboModule } from '../apps/ingest-weibo/src/ingest-weibo.module.js';
import { weiboSignature } from '../apps/ingest-weibo/src/push/weibo.adapter.js';
import { percentile, type BenchResult } from './lib/bench-result.js';
import { weiboDate } from '../test/support/weibo-stand-in.js';
import { loadInWorker, round, rowOf, scriptTurn, serveLoadWorker, type LoadRequest, type PushSource } from './lib/push-load.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const RATE = Number(process.env.BENCH_WEIBO_RATE ?? 500);
const SECONDS = Math.max(3, Math.round(Number(process.env.BENCH_WEIBO_SECONDS ?? 10) * SCALE));
const GOAL_P99_MS = 50;
const USERS = 1000;
const MARKER = 'weiboLoad';
const ACCOUNT = { uid: '1902538057', appSecret: 'bench-secret', accessToken: 'bench-token', pollMentions: false };
const SCRIPT = ['榆阳区人民路和新建路交叉口的红绿灯坏了三天，早晚高峰很堵，请尽快修复', '附近还有一个井盖松动', 'POSITION', '提交'];


/** The next push of the script, signed: path and JSON body. Each citizen's messages are distinct by text and time. */
function pushSource(request: LoadRequest): PushSource {
  let n = request.population?.firstPush ?? 0;
  const run = Number(request.population?.run ?? Date.now() % 1e6);
  return {
    contentType: 'application/json',
    next() {
      const turn = scriptTurn(n++, USERS, SCRIPT.length);
      const line = SCRIPT[turn.step];
      const sender = 3_000_000_000_000 + run * 1_000_000 + turn.generation * USERS + turn.user;
      const common = { receiver_id: Number(ACCOUNT.uid), sender_id: sender, created_at: weiboDate(Date.now()) };
      const body =
        line === 'POSITION'
          ? { ...common, type: 'position', text: '我在这里: http://t.cn/zQgLLYO', data: { longitude: '109.734', latitude: '38.285' } }
          : { ...common, type: 'text', text: line, data: {} };
      const timestamp = String(Date.now());
      const nonce = String(Math.floor(Math.random() * 1e9));
      const query = new URLSearchParams({ signature: weiboSignature(ACCOUNT.appSecret, timestamp, nonce), timestamp, nonce });
      return { path: `/weibo/${ACCOUNT.uid}?${query}`, body: JSON.stringify(body) };
    },
  };
}

serveLoadWorker(MARKER, pushSource);

export async function run(): Promise<BenchResult> {
  const config = readIngestWeiboConfig({
    ...process.env,
    NODE_ENV: 'development',
    INGEST_WEIBO_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    WEIBO_ACCOUNTS: JSON.stringify([ACCOUNT]),
    // Media and mentions are not part of this load; no Weibo API is reachable.
    MEDIA_WORKER: 'false',
    MENTION_POLLING: 'false',
  });
  const app: INestApplication = await NestFactory.create(IngestWeiboModule.forRoot(config), { logger: false });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  try {
    // Sender ids are numbers: the population is a number too.
    const run = String(Date.now() % 1e6);
    await loadInWorker(import.meta.url, MARKER, { port, rate: RATE, seconds: 3, label: 'warm-up', population: { run, firstPush: 0 } });
    const population = { run, firstPush: RATE * 3 };
    const phase = await loadInWorker(import.meta.url, MARKER, { port, rate: RATE, seconds: SECONDS, label: `@${RATE}/s`, population });
    const p99 = percentile(phase.latencies, 99);
    return {
      bench: 'ingest-weibo',
      rows: [rowOf(`Weibo push, ${RATE}/s open-loop`, phase)],
      goals: [{ goal: `p99 < ${GOAL_P99_MS} ms at ${RATE} pushes/s`, met: p99 < GOAL_P99_MS && phase.errors === 0, measured: `${round(p99)} ms p99, ${phase.errors} errors` }],
      notes: [
        `${SECONDS} s after 3 s of warm-up at the same rate, continuing its conversations; latency from each push's scheduled send time.`,
        'Each push: signature check, JSON parse, one PostgreSQL transaction (dedup key, conversation, outbox), then the passive reply JSON.',
      ],
    };
  } finally {
    await app.close();
  }
}
