import { spawn } from 'node:child_process';
import {
  ConsumerRunner,
  EventProducer,
  onTopic,
  OutboxRelay,
  OutboxWriter,
  ProcessedMessages,
  TOPICS,
} from '@app/common';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { newInquiry } from '../support/builders.js';
import { effectCounts, testKafka, testLogger, testSchema, TopicReader, uniqueTopic, waitFor } from '../support/helpers.js';
import { TEST_DATABASE_URL, testBrokers } from '../support/test-env.js';

const SCHEMA = 'wz_test';

function runWorker(script: string, env: Record<string, string>): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`test/support/workers/${script}`], {
      env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, KAFKA_BROKERS: testBrokers(), SCHEMA, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('transactional outbox', () => {
  let kafka: Kafka;
  let dataSource: DataSource;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    dataSource = await testSchema(SCHEMA);
  });

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('loses nothing and applies each effect once when the relay is killed between sending and marking', async () => {
    const topic = await uniqueTopic(kafka, 'outbox', 3);
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    const writer = new OutboxWriter('test', SCHEMA);
    await dataSource.query('DELETE FROM outbox WHERE sent_at IS NULL');
    const written = await dataSource.transaction((manager) =>
      writer.appendMany(
        manager,
        contract,
        Array.from({ length: 50 }, () => ({ type: 'InquirySubmitted' as const, payload: newInquiry() })),
      ),
    );

    const crashed = await runWorker('relay-worker.mjs', {});
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.out).toContain('sent 50');
    const [{ unsent }] = await dataSource.query('SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL');
    expect(unsent).toBe(50);

    // The consumer sees the batch twice (once from the dead relay, once after restart) but acts once.
    const producer = new EventProducer(kafka, 'test');
    const runner = new ConsumerRunner(kafka, producer, testLogger, { retries: 2, baseMs: 50 });
    stops.push(() => producer.disconnect(), () => runner.stopAll());
    const processed = new ProcessedMessages(dataSource);
    await runner.start({
      contract,
      groupId: `effects.${topic}`,
      handle: async (event) => {
        await processed.once('effects', topic, event, (m) =>
          m.query('INSERT INTO effects (topic, event_id) VALUES ($1, $2)', [topic, event.id]),
        );
      },
    });

    const relay = new OutboxRelay(dataSource, producer, testLogger, {
      schema: SCHEMA,
      databaseUrl: TEST_DATABASE_URL,
      batchSize: 500,
      pollMs: 50,
    });
    await relay.start();
    stops.push(() => relay.stop());

    const reader = await new TopicReader(kafka, topic).start();
    stops.push(() => reader.stop());
    await reader.waitForCount(100);
    const counts = await waitFor(async () => {
      const c = await effectCounts(dataSource, topic);
      return c.size === 50 ? c : undefined;
    }, 'one effect per event');
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(counts.keys())).toEqual(new Set(written.map((e) => e.id)));
    const [{ left }] = await dataSource.query('SELECT count(*)::int AS left FROM outbox WHERE sent_at IS NULL');
    expect(left).toBe(0);
  });

  it('listens again when its listening connection is lost, and publishes what was written meanwhile', async () => {
    const topic = await uniqueTopic(kafka, 'relisten', 1);
    const contract = onTopic(TOPICS.inquirySubmitted, topic);
    await dataSource.query('DELETE FROM outbox WHERE sent_at IS NULL');
    const producer = new EventProducer(kafka, 'test');
    // Polling once a minute: within this test only a notification, or the look after listening again, publishes.
    const relay = new OutboxRelay(dataSource, producer, testLogger, { schema: SCHEMA, databaseUrl: TEST_DATABASE_URL, batchSize: 500, pollMs: 60_000 });
    await relay.start();
    stops.push(() => producer.disconnect(), () => relay.stop());
    const reader = await new TopicReader(kafka, topic).start();
    stops.push(() => reader.stop());
    const write = (): Promise<unknown> =>
      dataSource.transaction((m) => new OutboxWriter('test', SCHEMA).append(m, contract, 'InquirySubmitted', newInquiry()));
    const listeners = async (): Promise<number[]> =>
      (await dataSource.query(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [`LISTEN wz_outbox_${SCHEMA}`])).map((r: { pid: number }) => r.pid);

    await write();
    await reader.waitForCount(1);
    await new Promise((r) => setTimeout(r, 600)); // past the relay's quick polling after a batch
    const [first] = await listeners();
    expect(first).toBeDefined();
    await dataSource.query('SELECT pg_terminate_backend($1)', [first]);
    await write(); // while nobody listens
    await reader.waitForCount(2, 10_000);
    const again = await waitFor(async () => ((await listeners()).some((pid) => pid !== first) ? await listeners() : undefined), 'a new listener');
    expect(again).not.toContain(first);
    await new Promise((r) => setTimeout(r, 600));
    await write(); // heard through the new connection
    await reader.waitForCount(3, 10_000);
  });

  it('refuses an event that violates its contract inside the caller transaction, leaving nothing behind', async () => {
    const writer = new OutboxWriter('test', SCHEMA);
    const before = await dataSource.query('SELECT count(*)::int AS n FROM outbox');
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.query('INSERT INTO effects (topic, event_id) VALUES ($1, $2)', ['rollback-check', 'x']);
        await writer.append(manager, TOPICS.inquirySubmitted, 'InquirySubmitted', { ...newInquiry(), content: '' });
      }),
    ).rejects.toThrow(/payload.content/);
    const after = await dataSource.query('SELECT count(*)::int AS n FROM outbox');
    expect(after[0].n).toBe(before[0].n);
    expect(await dataSource.query(`SELECT 1 FROM effects WHERE topic = 'rollback-check'`)).toHaveLength(0);
  });
});
