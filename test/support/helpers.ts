import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import {
  createDataSource,
  createKafka,
  createLogger,
  ensureTopics,
  migrate,
  newId,
  PlatformTables1764201600000,
} from '@app/common';
import type { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, testBrokers } from './test-env.js';

export const testLogger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'fatal');

export function testKafka(clientId = 'test'): Kafka {
  return createKafka(clientId, testBrokers(), testLogger);
}

/** A fresh topic (and its .dlq twin) so a test sees only its own messages. */
export async function uniqueTopic(kafka: Kafka, prefix = 'test', partitions = 1): Promise<string> {
  const name = `${prefix}.${newId().toLowerCase()}`;
  await ensureTopics(kafka, [name, `${name}.dlq`], { partitions, replicationFactor: 1 });
  return name;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Reads every message of a topic from the beginning, with a throw-away consumer group. */
export class TopicReader {
  readonly messages: KafkaMessage[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: `reader.${newId()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ message }) => void this.messages.push(message) });
    return this;
  }

  values<T = unknown>(): T[] {
    return this.messages.map((m) => JSON.parse(m.value!.toString('utf8')) as T);
  }

  async waitForCount(count: number, timeoutMs = 30000): Promise<KafkaMessage[]> {
    await waitFor(() => this.messages.length >= count, `${count} messages on ${this.topic} (have ${this.messages.length})`, timeoutMs);
    return this.messages;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * A database schema for the library's own tests: the platform tables plus an `effects` table that
 * stands for a consumer's business effect (one row per effect, never deduplicated by itself).
 */
export async function testSchema(schema = 'wz_test'): Promise<DataSource> {
  const dataSource = createDataSource({
    url: TEST_DATABASE_URL,
    schema,
    migrations: [PlatformTables1764201600000],
    poolSize: 5,
  });
  await migrate(dataSource, schema);
  await dataSource.query(`CREATE TABLE IF NOT EXISTS effects (
    id bigserial PRIMARY KEY, topic text NOT NULL, event_id text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  return dataSource;
}

export async function effectCounts(dataSource: DataSource, topic: string): Promise<Map<string, number>> {
  const rows: { event_id: string; n: number }[] = await dataSource.query(
    'SELECT event_id, count(*)::int AS n FROM effects WHERE topic = $1 GROUP BY event_id',
    [topic],
  );
  return new Map(rows.map((r) => [r.event_id, r.n]));
}
