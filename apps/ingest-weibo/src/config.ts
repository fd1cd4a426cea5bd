import { loadConfig, platformEnvSchema, port, type PlatformConfig } from '@app/common';
import type { z } from 'zod';

export const ingest_weiboEnvSchema = platformEnvSchema.extend({
  INGEST_WEIBO_PORT: port(3003),
});

export interface IngestWeiboConfig extends PlatformConfig {
  env: z.infer<typeof ingest_weiboEnvSchema>;
}

export function readIngestWeiboConfig(env: NodeJS.ProcessEnv = process.env): IngestWeiboConfig {
  const parsed = loadConfig(ingest_weiboEnvSchema, env);
  return { app: 'ingest-weibo', schema: 'ingest_weibo', port: parsed.INGEST_WEIBO_PORT, env: parsed };
}
