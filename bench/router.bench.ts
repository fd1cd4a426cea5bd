/**
 * Router benchmark: the classifier and the routing decision on one core (no I/O), then submitted → Assigned
 * through the real consumer (Kafka in, one PostgreSQL transaction, outbox relay, Kafka out).
 * Needs KAFKA_BROKERS and DATABASE_URL (bench/run.ts provides both).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import {
  allTopicNames,
  createKafka,
  createLogger,
  ensureTopics,
  EventProducer,
  newEnvelope,
  newId,
  TOPICS,
  type InquirySubmitted,
} from '@app/common';
import { TopicModel } from '../apps/router/src/classifier/topic-model.js';
import { readRouterConfig } from '../apps/router/src/config.js';
import { RouterModule } from '../apps/router/src/router.module.js';
import { Dispatcher } from '../apps/router/src/routing/dispatch.js';
import { Gazetteer } from '../apps/router/src/routing/gazetteer.js';
import { loadGazetteerData, loadSeedRules, loadSeedUnits, seedRoutingUnits } from '../apps/router/src/routing/seed-data.js';
import { percentile, type BenchResult, type BenchRow } from './lib/bench-result.js';
import { progress } from './lib/progress.js';

const DATA = 'apps/router/data';
const BURST = 1000;
const PACED_RATE = 100;
const PACED_SECONDS = 10;

/** City-level messages without a place, so the duplicate check (same area) does not hold them back. */
const CITY_TEXTS = [
  '我在单位缴存住房公积金五年了，现在买房想办公积金贷款，需要什么手续？',
  '想给孩子办护照出国读书，需要准备哪些出入境材料，要多久能拿到？',
  '驾照到期换证，车管所体检在哪里做，能不能异地换驾驶证？',
  '请问个人所得税年度汇算怎么办理退税，税务局电话一直打不通。',
  '城区供暖已经开始一周了，我家暖气还是不热，室温才十五度。',
];

function texts(): string[] {
  return readFileSync(join(DATA, 'eval', 'routing-set.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

function inquiry(i: number): InquirySubmitted {
  return {
    inquiryId: newId(),
    channel: 'app',
    citizen: { channel: 'app', externalUserId: `bench-${i}` },
    content: `${CITY_TEXTS[i % CITY_TEXTS.length]}（${i}）`,
    attachments: [],
    anonymous: true,
    publicOrigin: false,
    receivedAt: new Date().toISOString(),
    vendorMessageIds: [],
  };
}

/** The end-to-end load's corpus texts (bench/data): as long as citizens write, unlike the routing set's. */
function corpusTexts(): string[] {
  return readFileSync(join('bench', 'data', 'e2e-texts.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { content: string }).content);
}

const meanLength = (texts: string[]): number => Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length);

function cpuBound(): BenchRow[] {
  const units = loadSeedUnits(DATA);
  const model = TopicModel.load(join(DATA, 'topic-model.json'));
  const dispatcher = new Dispatcher(seedRoutingUnits(units), loadSeedRules(DATA, units), new Gazetteer(loadGazetteerData(DATA)), model);
  const short = texts();
  const corpus = corpusTexts();
  const rows: BenchRow[] = [];
  const decide = (t: string) => dispatcher.decide({ content: t });
  for (const [name, fn, sample] of [
    ['topic classifier (linear SVM + NB-SVM, char n-grams + jieba words), one core', (t: string) => model.predict(t), short],
    ['whole routing decision (type, topic, place, catalogue), one core', decide, short],
    [`whole routing decision, corpus texts of the end-to-end load (mean ${meanLength(corpus)} characters), one core`, decide, corpus],
  ] as const) {
    for (let i = 0; i < 500; i++) fn(sample[i % sample.length]);
    const latencies: number[] = [];
    const start = performance.now();
    for (let i = 0; i < 20000; i++) {
      const t0 = performance.now();
      fn(sample[i % sample.length]);
      latencies.push(performance.now() - t0);
    }
    const seconds = (performance.now() - start) / 1000;
    rows.push({
      name,
      throughputPerSec: Math.round(latencies.length / seconds),
      p50Ms: round(percentile(latencies, 50), 3),
      p99Ms: round(percentile(latencies, 99), 3),
      messages: latencies.length,
    });
  }
  return rows;
}

/** Publishes inquiries and timestamps each one's Assigned event as it arrives on case.events.v1. */
async function endToEnd(app: INestApplication, brokers: string): Promise<BenchRow[]> {
  const logger = createLogger('bench', 'error');
  const kafka = createKafka('bench-router', brokers, logger);
  const producer = new EventProducer(kafka, 'bench');
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `bench.router.${newId()}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.caseEvents.name, fromBeginning: false });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString('utf8')) as { type: string; payload: { inquiryId: string } };
      const t0 = sentAt.get(event.payload.inquiryId);
      if (event.type === 'Assigned' && t0 !== undefined) {
        latencies.push(performance.now() - t0);
        sentAt.delete(event.payload.inquiryId);
      }
    },
  });
  const until = Date.now() + 30000;
  while (!joined && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const rows: BenchRow[] = [];
  try {
    // Warm-up, then a paced phase for latency, then a burst for throughput.
    await publish(producer, sentAt, 50, 0);
    await drain(sentAt, 'warm-up');
    latencies.length = 0;

    const pacedStart = performance.now();
    await publish(producer, sentAt, PACED_RATE * PACED_SECONDS, PACED_RATE);
    await drain(sentAt, 'paced');
    const paced = [...latencies];
    rows.push({
      name: `submitted → Assigned at ${PACED_RATE}/s (Kafka → consumer → PostgreSQL → outbox relay → Kafka)`,
      throughputPerSec: Math.round(paced.length / ((performance.now() - pacedStart) / 1000)),
      p50Ms: round(percentile(paced, 50)),
      p95Ms: round(percentile(paced, 95)),
      p99Ms: round(percentile(paced, 99)),
      cases: paced.length,
      lost: PACED_RATE * PACED_SECONDS - paced.length,
    });

    latencies.length = 0;
    const burstStart = performance.now();
    await publish(producer, sentAt, BURST, 0);
    await drain(sentAt, 'burst');
    const burstSeconds = (performance.now() - burstStart) / 1000;
    rows.push({
      name: `submitted → Assigned, burst of ${BURST} (one router instance)`,
      throughputPerSec: Math.round(latencies.length / burstSeconds),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      cases: latencies.length,
      lost: BURST - latencies.length,
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  void app;
  return rows;
}

async function publish(producer: EventProducer, sentAt: Map<string, number>, count: number, ratePerSec: number): Promise<void> {
  const batch = ratePerSec > 0 ? Math.max(1, Math.round(ratePerSec / 20)) : 200;
  const start = performance.now();
  for (let i = 0; i < count; i += batch) {
    if (ratePerSec > 0) {
      const due = start + (i / ratePerSec) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const envelopes = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const payload = inquiry(j);
      envelopes.push(newEnvelope({ type: 'InquirySubmitted', payload, source: 'bench' }));
      sentAt.set(payload.inquiryId, performance.now());
    }
    await producer.publishEnvelopes(TOPICS.inquirySubmitted, envelopes);
    progress(`published ${Math.min(count, i + batch)}/${count}`);
  }
}

async function drain(sentAt: Map<string, number>, phase: string): Promise<void> {
  const until = Date.now() + 180000;
  while (sentAt.size > 0 && Date.now() < until) {
    progress(`${phase}: waiting for ${sentAt.size} assignments`);
    await new Promise((r) => setTimeout(r, 100));
  }
  sentAt.clear();
}

export async function run(): Promise<BenchResult> {
  progress('classifier on one core');
  const rows = cpuBound();
  const config = readRouterConfig({ ...process.env, NODE_ENV: 'development', ROUTER_PORT: '0', LOG_LEVEL: 'error' });
  await ensureTopics(createKafka('bench-setup', config.env.KAFKA_BROKERS, createLogger('bench', 'error')), allTopicNames(), {
    partitions: 6,
    replicationFactor: 1,
  });
  const app = await NestFactory.create(RouterModule.forRoot(config), { logger: false });
  await app.init();
  try {
    rows.push(...(await endToEnd(app, config.env.KAFKA_BROKERS)));
  } finally {
    await app.close();
  }
  const topic = rows[0].throughputPerSec ?? 0;
  return {
    bench: 'router',
    rows,
    goals: [{ goal: 'topic classification ≥ 2,000 inquiries/s on one core', met: topic >= 2000, measured: `${topic}/s` }],
    notes: [
      'CPU rows: 20,000 calls after 500 warm-up calls, in this process, over the 304 routing-set messages (mean 22 characters) or, in the last one, the 2,573 corpus texts of e2e-load: a decision costs about four times as much on texts as long as citizens write.',
      'End-to-end rows: latency from the publish of InquirySubmitted to the arrival of its Assigned event; one router instance, outbox relay included.',
      'The intake consumer routes each consumer batch (up to 200 inquiries of a partition) in one transaction; "lost" counts cases not assigned within 180 s.',
    ],
  };
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
