// Starts a real Kafka broker (unless KAFKA_BROKERS points at one), gives the tests a clean database with one
// schema per app, and creates the platform's topics. Plain JavaScript on the compiled library: Jest runs
// global setup outside its transformer and module mapper, and the fault tests' worker processes need the
// build anyway.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';

const APP_SCHEMAS = ['ingest_app', 'ingest_wechat', 'ingest_weibo', 'router', 'notifier', 'wz_test', 'wz_shared'];

export default async function globalSetup() {
  if (!existsSync('dist/libs/common/src/index.js') || process.env.WZ_TEST_BUILD === '1') {
    execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  }
  const { allTopicNames, createKafka, createLogger, ensureDatabase, ensureTopics } = await import(
    '../../dist/libs/common/src/index.js'
  );
  process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/wenzheng_test';
  if (!process.env.KAFKA_BROKERS) {
    const { startBroker } = await import('../../scripts/kafka.mjs');
    const port = Number(process.env.WZ_TEST_KAFKA_PORT ?? 29392);
    const broker = await startBroker({ port, log: () => undefined });
    process.env.KAFKA_BROKERS = broker.brokers;
    process.env.WZ_TEST_STARTED_BROKER = broker.alreadyRunning ? '' : String(port);
  }

  await ensureDatabase(process.env.TEST_DATABASE_URL);
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    for (const schema of APP_SCHEMAS) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }

  const kafka = createKafka('test-setup', process.env.KAFKA_BROKERS, createLogger('test', 'warn'));
  await ensureTopics(kafka, allTopicNames(), { partitions: 6, replicationFactor: 1 });
}
