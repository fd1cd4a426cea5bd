import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment once, against one schema; a missing or malformed setting is named in the error. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return result.data;
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/wenzheng';

/** Settings every service has: where the broker and the database are, how to log. */
export const platformEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').default(DEFAULT_DATABASE_URL),
  DATABASE_POOL_SIZE: positiveInt(10),
  /** How long a starting service waits for an unreachable PostgreSQL before it gives up (0: not at all). */
  DATABASE_BOOT_WAIT_SECONDS: z.coerce.number().int().min(0).default(120),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be host:port[,host:port...]')
    .default('127.0.0.1:9092'),
  KAFKA_CONSUMER_RETRIES: z.coerce.number().int().min(0).max(20).default(5),
  KAFKA_RETRY_BASE_MS: positiveInt(200),
  /** Partitions a consumer handles at once (order is kept within a partition, so one case's events stay in order). */
  KAFKA_PARTITION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  OUTBOX_POLL_MS: positiveInt(500),
  OUTBOX_BATCH: positiveInt(500),
  /**
   * Days a consumer remembers a processed message (0: forever). Longer than the topics keep messages (Kafka's
   * default is 7 days), so a redelivery always finds its record.
   */
  PROCESSED_MESSAGES_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .refine((d) => d === 0 || d >= 8, 'must be 0 (keep) or at least 8 days, longer than the topics keep messages')
    .default(30),
});
export type PlatformEnv = z.infer<typeof platformEnvSchema>;

/** What the shared plumbing needs to know about the service it runs in. */
export interface PlatformConfig {
  /** Service name: Kafka client id, consumer group prefix, log `service` field. */
  app: string;
  /** The PostgreSQL schema this service owns. */
  schema: string;
  port: number;
  env: PlatformEnv;
}
