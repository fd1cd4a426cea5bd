import { loadConfig, platformEnvSchema, port, type PlatformConfig } from '@app/common';
import type { z } from 'zod';

export const ingest_appEnvSchema = platformEnvSchema.extend({
  INGEST_APP_PORT: port(3001),
});

export interface IngestAppConfig extends PlatformConfig {
  env: z.infer<typeof ingest_appEnvSchema>;
}

export function readIngestAppConfig(env: NodeJS.ProcessEnv = process.env): IngestAppConfig {
  const parsed = loadConfig(ingest_appEnvSchema, env);
  return { app: 'ingest-app', schema: 'ingest_app', port: parsed.INGEST_APP_PORT, env: parsed };
}
