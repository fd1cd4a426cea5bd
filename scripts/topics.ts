// Creates every topic of DESIGN.md and its .dlq twin, idempotently: `npm run kafka:topics`.
import { allTopicNames, createKafka, createLogger, ensureTopics, loadConfig, topicsEnvSchema } from '@app/common';

const env = loadConfig(topicsEnvSchema);
const logger = createLogger('topics', env.LOG_LEVEL);
const kafka = createKafka('topics', env.KAFKA_BROKERS, logger);
const report = await ensureTopics(kafka, allTopicNames(), {
  partitions: env.KAFKA_PARTITIONS,
  replicationFactor: env.KAFKA_REPLICATION_FACTOR,
  minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS,
});
logger.info(
  { ...report, partitions: env.KAFKA_PARTITIONS, replicationFactor: env.KAFKA_REPLICATION_FACTOR },
  `topics: ${report.created.length} created, ${report.grown.length} grown, ${report.unchanged.length} unchanged`,
);
