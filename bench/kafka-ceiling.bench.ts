// The ceilings of this machine (issue 2, item 8): what the local broker and PostgreSQL do with nothing of ours in
// the way, so later benchmarks can say how close they come. Run with `npm run bench -- kafka-ceiling`.
//
// 1. produce: 1 KB JSON envelopes through the platform's EventProducer (idempotent, acks=all), 500 per request;
//    and one message per request (the latency an ingest request pays for a direct publish).
// 2. consume: a consumer group reading them back (raw kafkajs), and the platform's ConsumerRunner (schema check,
//    no-op handler, commit every 100) reading them again.
// 3. outbox: rows appended by OutboxWriter in 100-row transactions, published by OutboxRelay, until a consumer has
//    seen every one: rows/s from first commit to last consumed, and commit→consumed latency per event.
// 4. PostgreSQL: a realistic inquiry row (router.cases' columns), one row per transaction and 100 per statement.
//
// Sizes: BENCH_SCALE (default 1) multiplies every count; at 1 the whole run takes well under 2 minutes on 2 cores.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import {
  ConsumerRunner,
  createDataSource,
  createKafka,
  createLogger,
  EventProducer,
  migrate,
  newEnvelope,
  onTopic,
  OutboxRelay,
  OutboxWriter,
  TOPICS,
  validateEvent,
  withPlatformMigrations,
  type RawMessage,
} from '@app/common';
import { percentile, type BenchResult, type BenchRow } from './lib/bench-result.js';
import { countingConsumer, createTopic, deleteTopics, inquiryTableDdl, insertInquiryRows, INQUIRY_COLUMNS, waitFor } from './lib/ceiling.js';
import { progress } from './lib/progress.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const PRODUCE_N = Math.round(60_000 * SCALE);
const PRODUCE_BATCH = 500;
const SINGLE_N = Math.round(1_000 * SCALE);
const OUTBOX_N = Math.round(20_000 * SCALE);
const OUTBOX_TX_ROWS = 100;
const OUTBOX_WRITERS = 2;
const PG_SINGLE_N = Math.round(2_000 * SCALE);
const PG_BATCH_N = Math.round(30_000 * SCALE);
const PG_BATCH_ROWS = 100;
const SCHEMA = 'bench_ceiling';
const MESSAGE_BYTES = 1024;
const PARTITIONS = 6;

const logger = createLogger('bench', process.env.LOG_LEVEL ?? 'error');
// kafkajs reports a fresh topic's first metadata misses and coordinator loading as errors; they are retried.
const quietLogger = createLogger('bench', process.env.LOG_LEVEL ?? 'fatal');
const contentOf = (n: number): string => '市民反映：小区门口道路破损积水，出行不便，请相关部门尽快修复。'.repeat(Math.ceil(n / 30)).slice(0, n);

/** A valid case.events.v1 `Received` envelope of `bytes` bytes of JSON. */
function envelopeOf(bytes: number): { key: string; value: string; id: string } {
  const inquiryId = randomUUID();
  const make = (chars: number): ReturnType<typeof newEnvelope> =>
    newEnvelope({
      type: 'Received',
      source: 'bench',
      payload: { inquiryId, at: new Date().toISOString(), actor: 'system', channel: 'app', title: '道路积水', content: contentOf(chars), receivedAt: new Date().toISOString() },
    });
  let envelope = make(100);
  const base = Buffer.byteLength(JSON.stringify(envelope));
  envelope = make(100 + Math.floor((bytes - base) / 3)); // the content is 3-byte UTF-8 characters
  let value = JSON.stringify(envelope);
  while (Buffer.byteLength(value) < bytes) {
    envelope = { ...envelope, traceId: `${envelope.traceId}x` };
    value = JSON.stringify(envelope);
  }
  return { key: inquiryId, value, id: envelope.id };
}

const rate = (n: number, ms: number): number => (n * 1000) / ms;
const latencies = (values: number[]): Pick<BenchRow, 'p50Ms' | 'p95Ms' | 'p99Ms'> => ({
  p50Ms: percentile(values, 50),
  p95Ms: percentile(values, 95),
  p99Ms: percentile(values, 99),
});

async function kafkaRows(kafka: Kafka, runId: string, rows: BenchRow[], goals: NonNullable<BenchResult['goals']>) {
  const topic = `bench.ceiling.${runId}`;
  await createTopic(kafka, topic, PARTITIONS);
  const producer = new EventProducer(kafka, 'bench');
  await producer.connect();

  progress('building messages');
  const messages: RawMessage[] = [];
  for (let i = 0; i < PRODUCE_N; i++) {
    const m = envelopeOf(MESSAGE_BYTES);
    messages.push({ key: m.key, value: m.value, headers: { type: 'Received' } });
  }
  validateEvent(TOPICS.caseEvents, JSON.parse(messages[0].value as string));

  const batchMs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i += PRODUCE_BATCH) {
    const t = performance.now();
    await producer.sendRaw(topic, messages.slice(i, i + PRODUCE_BATCH));
    batchMs.push(performance.now() - t);
    if ((i / PRODUCE_BATCH) % 10 === 0) progress(`produce ${i}/${PRODUCE_N}`);
  }
  const produceMs = performance.now() - t0;
  const mbPerSec = (PRODUCE_N * MESSAGE_BYTES) / 2 ** 20 / (produceMs / 1000);
  rows.push({ name: `produce 1 KB, ${PRODUCE_BATCH}/request, acks=all, idempotent`, throughputPerSec: rate(PRODUCE_N, produceMs), ...latencies(batchMs), MBPerSec: mbPerSec, messages: PRODUCE_N, latency: 'per request' });

  const singleMs: number[] = [];
  const single = messages.slice(0, SINGLE_N);
  const t1 = performance.now();
  for (const [i, m] of single.entries()) {
    const t = performance.now();
    await producer.sendRaw(topic, [m]);
    singleMs.push(performance.now() - t);
    if (i % 200 === 0) progress(`produce one by one ${i}/${SINGLE_N}`);
  }
  rows.push({ name: 'produce 1 KB, 1/request (sequential)', throughputPerSec: rate(SINGLE_N, performance.now() - t1), ...latencies(singleMs), messages: SINGLE_N });
  const total = PRODUCE_N + SINGLE_N;

  progress('consume (raw kafkajs group)');
  const raw = await countingConsumer(kafka, topic);
  await waitFor('the raw consumer', () => raw.state.count >= total, 120_000);
  await raw.consumer.disconnect();
  rows.push({ name: 'consume 1 KB, consumer group (kafkajs eachBatch)', throughputPerSec: rate(raw.state.count, raw.state.last - raw.state.first), messages: raw.state.count, groupJoinMs: raw.joinMs });
  goals.push({ goal: 'every produced message is consumed', met: raw.state.count === total, measured: `${raw.state.count}/${total}` });

  progress('consume (ConsumerRunner)');
  const runner = new ConsumerRunner(kafka, producer, logger, { retries: 0, baseMs: 10 });
  let seen = 0;
  let first = 0;
  let last = 0;
  await runner.start({
    contract: onTopic(TOPICS.caseEvents, topic),
    groupId: `bench-runner-${runId}`,
    handle: async () => {
      if (seen === 0) first = performance.now();
      seen++;
      last = performance.now();
    },
  });
  await waitFor('the ConsumerRunner', () => seen >= total, 120_000);
  await runner.stopAll();
  rows.push({ name: 'consume 1 KB, ConsumerRunner (schema check, no-op handler, manual commit)', throughputPerSec: rate(seen, last - first), messages: seen });

  await producer.disconnect();
  return topic;
}

async function outboxRow(kafka: Kafka, runId: string, databaseUrl: string, rows: BenchRow[], goals: NonNullable<BenchResult['goals']>) {
  const topic = `bench.ceiling.outbox.${runId}`;
  await createTopic(kafka, topic, PARTITIONS);
  const contract = onTopic(TOPICS.caseEvents, topic);
  const dataSource = createDataSource({ url: databaseUrl, schema: SCHEMA, migrations: withPlatformMigrations([]), poolSize: OUTBOX_WRITERS + 2 });
  await migrate(dataSource, SCHEMA);
  const producer = new EventProducer(kafka, 'bench');
  const relay = new OutboxRelay(dataSource, producer, logger, { schema: SCHEMA, databaseUrl, batchSize: 500, pollMs: 100 });
  const committedAt = new Map<string, number>();
  const lagMs: number[] = [];
  const consumer = await countingConsumer(kafka, topic, (value, at) => {
    const id = (JSON.parse(value.toString('utf8')) as { id: string }).id;
    const t = committedAt.get(id);
    if (t !== undefined) lagMs.push(at - t);
  });
  await relay.start();

  const content = contentOf(250); // the envelope is about 1 KB like the produce rows
  const txMs: number[] = [];
  let written = 0;
  const t0 = performance.now();
  const writer = new OutboxWriter('bench', SCHEMA);
  await Promise.all(
    Array.from({ length: OUTBOX_WRITERS }, async () => {
      while (written < OUTBOX_N) {
        const n = Math.min(OUTBOX_TX_ROWS, OUTBOX_N - written);
        written += n;
        const now = new Date().toISOString();
        const t = performance.now();
        const envelopes = await dataSource.transaction((manager) =>
          writer.appendMany(
            manager,
            contract,
            Array.from({ length: n }, () => ({
              type: 'Received' as const,
              payload: { inquiryId: randomUUID(), at: now, actor: 'system', channel: 'app' as const, title: '道路积水', content, receivedAt: now },
            })),
          ),
        );
        const done = performance.now();
        txMs.push(done - t);
        for (const e of envelopes) committedAt.set(e.id, done);
        if (written % 2000 < OUTBOX_TX_ROWS) progress(`outbox ${written}/${OUTBOX_N} committed, ${consumer.state.count} consumed`);
      }
    }),
  );
  const committedMs = performance.now() - t0;
  await waitFor('the outbox consumer', () => consumer.state.count >= OUTBOX_N, 120_000);
  const totalMs = consumer.state.last - t0;
  await relay.stop();
  await consumer.consumer.disconnect();
  await producer.disconnect();
  const [{ pending }] = await dataSource.query('SELECT count(*)::int AS pending FROM outbox WHERE sent_at IS NULL');
  await dataSource.destroy();

  rows.push({ name: `outbox: ${OUTBOX_TX_ROWS} rows/tx committed (${OUTBOX_WRITERS} writers)`, throughputPerSec: rate(OUTBOX_N, committedMs), ...latencies(txMs), rows: OUTBOX_N, latency: 'per transaction' });
  rows.push({ name: 'outbox: commit → relay → consumed (end to end)', throughputPerSec: rate(OUTBOX_N, totalMs), ...latencies(lagMs), rows: OUTBOX_N, latency: 'commit to consumed' });
  goals.push({ goal: 'outbox: every committed row reaches the consumer and is marked sent', met: consumer.state.count === OUTBOX_N && pending === 0, measured: `${consumer.state.count}/${OUTBOX_N} consumed, ${pending} unsent` });
  return topic;
}

function inquiryValues(i: number): unknown[] {
  return [
    randomUUID(),
    `YL${String(i).padStart(10, '0')}`,
    'wechat',
    'wechat',
    `o${randomUUID().replace(/-/g, '')}`,
    '投诉',
    '小区门口道路积水',
    contentOf(300),
    JSON.stringify({ latitude: 38.285, longitude: 109.734, address: '榆林市榆阳区长城路' }),
    JSON.stringify([{ kind: 'photo', objectKey: `media/${randomUUID()}.jpg`, contentType: 'image/jpeg', bytes: 245_000 }]),
    false,
    'received',
    new Date().toISOString(),
  ];
}

async function postgresRows(databaseUrl: string, rows: BenchRow[]) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await client.query(inquiryTableDdl(SCHEMA));
    const one = `INSERT INTO ${SCHEMA}.inquiries (${INQUIRY_COLUMNS.join(', ')}) VALUES (${Array.from({ length: 13 }, (_, i) => `$${i + 1}`).join(', ')})`;
    const singleMs: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < PG_SINGLE_N; i++) {
      const t = performance.now();
      await client.query(one, inquiryValues(i));
      singleMs.push(performance.now() - t);
      if (i % 500 === 0) progress(`PostgreSQL one row/tx ${i}/${PG_SINGLE_N}`);
    }
    rows.push({ name: 'PostgreSQL insert inquiry row, 1 row/transaction (sequential)', throughputPerSec: rate(PG_SINGLE_N, performance.now() - t0), ...latencies(singleMs), rows: PG_SINGLE_N });

    const batchMs: number[] = [];
    const t1 = performance.now();
    for (let i = 0; i < PG_BATCH_N; i += PG_BATCH_ROWS) {
      const batch = Array.from({ length: PG_BATCH_ROWS }, (_, j) => inquiryValues(PG_SINGLE_N + i + j));
      const t = performance.now();
      await insertInquiryRows(client, SCHEMA, batch);
      batchMs.push(performance.now() - t);
      if ((i / PG_BATCH_ROWS) % 50 === 0) progress(`PostgreSQL ${PG_BATCH_ROWS} rows/statement ${i}/${PG_BATCH_N}`);
    }
    rows.push({ name: `PostgreSQL insert inquiry row, ${PG_BATCH_ROWS} rows/statement`, throughputPerSec: rate(PG_BATCH_N, performance.now() - t1), ...latencies(batchMs), rows: PG_BATCH_N, latency: 'per statement' });
  } finally {
    await client.end();
  }
}

export async function run(): Promise<BenchResult> {
  const brokers = process.env.KAFKA_BROKERS;
  const databaseUrl = process.env.DATABASE_URL;
  if (!brokers || !databaseUrl) throw new Error('KAFKA_BROKERS and DATABASE_URL must be set (bench/run.ts sets them)');
  const kafka = createKafka('bench-ceiling', brokers, quietLogger);
  const runId = Date.now().toString(36);
  const rows: BenchRow[] = [];
  const goals: NonNullable<BenchResult['goals']> = [];
  const topics: string[] = [];
  try {
    topics.push(await kafkaRows(kafka, runId, rows, goals));
    topics.push(await outboxRow(kafka, runId, databaseUrl, rows, goals));
    await postgresRows(databaseUrl, rows);
  } finally {
    await deleteTopics(kafka, topics);
  }
  return {
    bench: 'kafka-ceiling',
    rows,
    goals,
    notes: [
      `single local broker (replication 1, so acks=all means the leader's log), ${PARTITIONS} partitions, messages of ${MESSAGE_BYTES} bytes of JSON`,
      'producer, relay, consumers and PostgreSQL share the same cores: the numbers are ceilings for one machine, not for a cluster',
      `BENCH_SCALE=${SCALE}`,
    ],
  };
}
