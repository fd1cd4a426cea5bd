// Fault-test worker: consumes a topic with an idempotent effect and kills itself with SIGKILL right after
// the database commit of message number CRASH_AT, before its offset is committed.
import {
  ConsumerRunner,
  createDataSource,
  createKafka,
  createLogger,
  EventProducer,
  onTopic,
  ProcessedMessages,
  TOPICS,
} from '../../../dist/libs/common/src/index.js';

const { DATABASE_URL, KAFKA_BROKERS, SCHEMA, TOPIC, GROUP, CRASH_AT } = process.env;
const logger = createLogger('consumer-worker', 'fatal');
const dataSource = createDataSource({ url: DATABASE_URL, schema: SCHEMA, migrations: [] });
await dataSource.initialize();
const kafka = createKafka('consumer-worker', KAFKA_BROKERS, logger);
const runner = new ConsumerRunner(kafka, new EventProducer(kafka, 'consumer-worker'), logger, { retries: 2, baseMs: 50 });
const processed = new ProcessedMessages(dataSource);
let handled = 0;
await runner.start({
  contract: onTopic(TOPICS.inquirySubmitted, TOPIC),
  groupId: GROUP,
  handle: async (event) => {
    await processed.once('worker', TOPIC, event, (manager) =>
      manager.query('INSERT INTO effects (topic, event_id) VALUES ($1, $2)', [TOPIC, event.id]),
    );
    if (++handled === Number(CRASH_AT)) {
      process.stdout.write(`crashing after ${handled}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  },
});
