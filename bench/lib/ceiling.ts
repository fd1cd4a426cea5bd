// Pieces of the ceiling measurements shared by kafka-ceiling and e2e-load: a scratch topic with leaders, a raw
// kafkajs consumer group that counts what it reads, and the inquiry row of a scratch PostgreSQL table.
import { performance } from 'node:perf_hooks';
import type { Consumer, Kafka } from 'kafkajs';
import type pg from 'pg';

export async function waitForAsync(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Creates a topic and waits until every partition has a leader. kafkajs' own waitForLeaders gives up on the
 * transient "does not host this topic-partition" a fresh broker answers for a moment, so we poll ourselves.
 */
export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: false });
    await waitForAsync(`leaders of ${topic}`, async () => {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        return topics[0]?.partitions.length === partitions && topics[0].partitions.every((p) => p.leader >= 0);
      } catch {
        return false;
      }
    }, 30_000);
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

/** A raw consumer group that counts messages (and hands each value to `onMessage`); resolves once it joined. */
export async function countingConsumer(kafka: Kafka, topic: string, onMessage?: (value: Buffer, at: number) => void) {
  const state = { count: 0, first: 0, last: 0, joinedAt: 0 };
  const consumer: Consumer = kafka.consumer({ groupId: `bench-${topic}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let joined!: () => void;
  const join = new Promise<void>((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    state.joinedAt = performance.now();
    joined();
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const started = performance.now();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const at = performance.now();
      if (state.count === 0) state.first = at;
      for (const m of batch.messages) onMessage?.(m.value as Buffer, at);
      state.count += batch.messages.length;
      state.last = at;
    },
  });
  await join;
  return { state, consumer, joinMs: state.joinedAt - started };
}

/** A scratch table with router.cases' columns: what one inquiry costs PostgreSQL at the least. */
export const inquiryTableDdl = (schema: string): string => `
  CREATE TABLE IF NOT EXISTS ${schema}.inquiries (
    inquiry_id text PRIMARY KEY, tracking_no text, channel text NOT NULL, citizen_channel text NOT NULL,
    citizen_ref text NOT NULL, type_hint text, title text, content text NOT NULL, location jsonb,
    attachments jsonb NOT NULL DEFAULT '[]', anonymous boolean NOT NULL, public_origin boolean NOT NULL DEFAULT false,
    status text NOT NULL, received_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now())`;
export const INQUIRY_COLUMNS = [
  'inquiry_id', 'tracking_no', 'channel', 'citizen_channel', 'citizen_ref', 'type_hint', 'title', 'content', 'location',
  'attachments', 'anonymous', 'status', 'received_at',
] as const;

/** One multi-row INSERT of `rows` (each the values of INQUIRY_COLUMNS, in order) into `<schema>.inquiries`. */
export async function insertInquiryRows(client: pg.Client, schema: string, rows: unknown[][]): Promise<void> {
  const params: unknown[] = [];
  const tuples: string[] = [];
  for (const values of rows) {
    tuples.push(`(${values.map((_, k) => `$${params.length + k + 1}`).join(', ')})`);
    params.push(...values);
  }
  await client.query(`INSERT INTO ${schema}.inquiries (${INQUIRY_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
}
