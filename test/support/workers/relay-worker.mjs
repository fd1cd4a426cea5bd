// Fault-test worker: publishes one outbox batch and kills itself with SIGKILL right after Kafka acknowledged
// it, before the rows are marked sent — the worst moment for a relay to die.
import {
  createDataSource,
  createKafka,
  createLogger,
  EventProducer,
  OutboxRelay,
} from '../../../dist/libs/common/src/index.js';

const { DATABASE_URL, KAFKA_BROKERS, SCHEMA } = process.env;
const logger = createLogger('relay-worker', 'fatal');
const dataSource = createDataSource({ url: DATABASE_URL, schema: SCHEMA, migrations: [] });
await dataSource.initialize();
const producer = new EventProducer(createKafka('relay-worker', KAFKA_BROKERS, logger), 'relay-worker');
const relay = new OutboxRelay(dataSource, producer, logger, {
  schema: SCHEMA,
  databaseUrl: DATABASE_URL,
  batchSize: 10000,
  pollMs: 100,
  afterSend: (ids) => {
    process.stdout.write(`sent ${ids.length}\n`);
    process.kill(process.pid, 'SIGKILL');
  },
});
await relay.publishBatch();
process.stdout.write('finished without crashing\n');
process.exit(3);
