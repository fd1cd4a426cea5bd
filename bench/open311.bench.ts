// Open311 GeoReport v2 (issue 10, item 7): POST /open311/v2/requests.json throughput and latency p50/p99 at fixed
// rates, so the platform can be compared with other Open311 servers on the same request. The request is the spec's
// own example (form-encoded, "POST Service Request" → Example Request) with our service code and jurisdiction.
// Goal on the 2-core machine with Kafka and PostgreSQL beside it: p99 < 100 ms at 200/s, as for the app channel.
//
// Only the ingest-app is started, in-process on a real HTTP port, against KAFKA_BROKERS and DATABASE_URL (bench/run.ts
// provides both). Open-loop load: each POST has a scheduled send time and its latency is measured from it. Each
// answer (201 with the service_request_id) comes after the inquiry, its Open311 record and its outbox row commit.
// Every request differs (the description carries its number), so the automatic retry de-duplication never hits.
// The media worker is off: fetching media_url is background work, measured nowhere here.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readIngestAppConfig } from '../apps/ingest-app/src/config.js';
import { IngestAppModule } from '../apps/ingest-app/src/ingest-app.module.js';
import { ApiKeysService } from '../apps/ingest-app/src/open311/api-keys.service.js';
import { percentile, type BenchResult, type BenchRow } from './lib/bench-result.js';
import { openLoopPosts, type HttpPhase } from './lib/http-load.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const RATES = [50, 100, 200];
const SECONDS = Math.max(5, Math.round(10 * SCALE));
const WARMUP_SECONDS = 3;
const GOAL_RATE = 200;
const GOAL_P99_MS = 100;

function form(apiKey: string, n: number): Buffer {
  const fields: [string, string][] = [
    ['api_key', apiKey],
    ['jurisdiction_id', 'yl.gov.cn'],
    ['service_code', '0102'],
    ['lat', '38.2852'],
    ['long', '109.7347'],
    ['address_string', '榆阳区新建南路 12 号'],
    ['email', 'citizen@example.org'],
    ['first_name', 'john'],
    ['last_name', 'smith'],
    ['phone', '111111111'],
    ['description', `A large sinkhole is destroying the street (#${n})`],
    ['attribute[subcategory]', '10'],
  ];
  return Buffer.from(fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'), 'utf8');
}

let sequence = 0;

function load(port: number, apiKey: string, rate: number, seconds: number, label: string): Promise<HttpPhase> {
  return openLoopPosts({
    port,
    path: '/open311/v2/requests.json',
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    rate,
    seconds,
    label,
    body: () => form(apiKey, sequence++),
  });
}

export async function run(): Promise<BenchResult> {
  const work = await mkdtemp(join(tmpdir(), 'wz-bench-open311-'));
  const config = readIngestAppConfig({
    ...process.env,
    NODE_ENV: 'development',
    INGEST_APP_PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    MEDIA_DIR: join(work, 'media'),
    UPLOAD_TMP_DIR: join(work, 'uploads'),
    RATE_LIMIT_PER_IP: '100000000',
    OPEN311_MEDIA_WORKER: 'false',
  });
  const app: INestApplication = await NestFactory.create(IngestAppModule.forRoot(config), { logger: false });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  // One client application, its own limit far above the load (the per-key limit is not what is measured).
  const { apiKey } = await app.get(ApiKeysService).issue('bench client', 100_000);
  const rows: BenchRow[] = [];
  const goals: NonNullable<BenchResult['goals']> = [];
  try {
    await load(port, apiKey, 50, WARMUP_SECONDS, 'warm-up');
    for (const rate of RATES) {
      const phase = await load(port, apiKey, rate, SECONDS, `open311 POST @${rate}/s`);
      const p99 = percentile(phase.latencies, 99);
      rows.push({
        name: `POST /open311/v2/requests.json (spec example, form-encoded), ${rate}/s open-loop`,
        throughputPerSec: Math.round(phase.latencies.length / phase.seconds),
        p50Ms: round(percentile(phase.latencies, 50)),
        p95Ms: round(percentile(phase.latencies, 95)),
        p99Ms: round(p99),
        maxMs: round(Math.max(...phase.latencies)),
        requests: phase.latencies.length,
        errors: phase.errors,
      });
      if (rate === GOAL_RATE) {
        goals.push({ goal: `Open311 POST p99 < ${GOAL_P99_MS} ms at ${GOAL_RATE}/s`, met: p99 < GOAL_P99_MS && phase.errors === 0, measured: `${round(p99)} ms p99, ${phase.errors} errors` });
      }
    }
  } finally {
    await app.close();
    await rm(work, { recursive: true, force: true });
  }
  return {
    bench: 'open311',
    rows,
    goals,
    notes: [
      `${SECONDS} s at each of ${RATES.join(', ')}/s after ${WARMUP_SECONDS} s of warm-up at 50/s; latency from each request's scheduled send time.`,
      'Each POST: api_key lookup (SHA-256, one indexed query), validation, the day counter, one transaction (idempotency claim, inquiry, Open311 record with the sealed contact, outbox row), then the 201; the outbox relay publishes to Kafka meanwhile.',
    ],
  };
}

const round = (n: number): number => Math.round(n * 10) / 10;
