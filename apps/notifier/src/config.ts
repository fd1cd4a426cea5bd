import { loadConfig, platformEnvSchema, port, type PlatformConfig } from '@app/common';
import type { z } from 'zod';

export const notifierEnvSchema = platformEnvSchema.extend({
  NOTIFIER_PORT: port(3005),
});

export interface NotifierConfig extends PlatformConfig {
  env: z.infer<typeof notifierEnvSchema>;
}

export function readNotifierConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const parsed = loadConfig(notifierEnvSchema, env);
  return { app: 'notifier', schema: 'notifier', port: parsed.NOTIFIER_PORT, env: parsed };
}
