import { loadConfig, platformEnvSchema, port, type PlatformConfig } from '@app/common';
import type { z } from 'zod';

export const ingest_wechatEnvSchema = platformEnvSchema.extend({
  INGEST_WECHAT_PORT: port(3002),
});

export interface IngestWechatConfig extends PlatformConfig {
  env: z.infer<typeof ingest_wechatEnvSchema>;
}

export function readIngestWechatConfig(env: NodeJS.ProcessEnv = process.env): IngestWechatConfig {
  const parsed = loadConfig(ingest_wechatEnvSchema, env);
  return { app: 'ingest-wechat', schema: 'ingest_wechat', port: parsed.INGEST_WECHAT_PORT, env: parsed };
}
