import { loadConfig, platformEnvSchema, port, type PlatformConfig } from '@app/common';
import type { z } from 'zod';

export const routerEnvSchema = platformEnvSchema.extend({
  ROUTER_PORT: port(3004),
});

export interface RouterConfig extends PlatformConfig {
  env: z.infer<typeof routerEnvSchema>;
}

export function readRouterConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  const parsed = loadConfig(routerEnvSchema, env);
  return { app: 'router', schema: 'router', port: parsed.ROUTER_PORT, env: parsed };
}
