import { z } from 'zod';
import { platformEnvSchema } from './config.js';

export const topicsEnvSchema = platformEnvSchema.extend({
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(5).default(1),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(5).optional(),
});
