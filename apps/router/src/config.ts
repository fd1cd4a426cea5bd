import { loadConfig, platformEnvSchema, port, positiveInt, type PlatformConfig } from '@app/common';
import { z } from 'zod';

export const routerEnvSchema = platformEnvSchema
  .extend({
    ROUTER_PORT: port(3004),
    /** Where the shipped reference data lives (units, place names, catalogue, topic model), relative to the cwd. */
    ROUTER_DATA_DIR: z.string().min(1).default('apps/router/data'),
    /** Cases routed with at least this confidence are assigned at once; the rest go to the desk. */
    ROUTER_AUTO_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
    ROUTER_DESK_HOURS: positiveInt(2),
    /** HS256 secret of the staff bearer tokens; required in production, a local default elsewhere. */
    ROUTER_JWT_SECRET: z.string().min(32).optional(),
    /** How long the routing snapshot (units, catalogue) is trusted before it is re-read from the database. */
    ROUTER_SNAPSHOT_TTL_MS: positiveInt(10_000),
    /** How often the desk clock looks for cases near or past their 2-hour deadline. */
    ROUTER_CLOCK_SCAN_MS: positiveInt(30_000),
    /** SlaWarning this long before the desk deadline. */
    ROUTER_DESK_WARN_MINUTES: positiveInt(30),
    /** SlaWarning this many working days before a unit clock (accept, reply) runs out. */
    ROUTER_WARN_WORKING_DAYS: positiveInt(1),
    /** A daily warning in the log when the loaded working-day calendar ends in fewer days than this. */
    ROUTER_CALENDAR_WARN_DAYS: positiveInt(45),
    /** A replied case with no rating is closed as 未评价 this many calendar days after the reply. */
    ROUTER_AUTO_CLOSE_DAYS: positiveInt(7),
    /** 不满意: `always` reopens the case at once; `desk` leaves it to a desk operator. */
    ROUTER_REOPEN_POLICY: z.enum(['always', 'desk']).default('always'),
    /** A reply shorter than this (characters, whitespace removed) is flagged as a brush-off. */
    ROUTER_BRUSHOFF_MIN_CHARS: positiveInt(20),
    /** Units with fewer ratings than this get no satisfaction rate and no rank. */
    ROUTER_MIN_RATINGS: positiveInt(5),
    /** The object store shared with the channels (replies' attachments are published like citizens' photos). */
    ROUTER_MEDIA_DIR: z.string().min(1).default('var/media'),
    ROUTER_UPLOAD_TMP_DIR: z.string().min(1).default('var/tmp/router-uploads'),
    ROUTER_PHOTO_MAX_BYTES: positiveInt(20 * 1048576),
    ROUTER_FILE_MAX_BYTES: positiveInt(100 * 1048576),
    ROUTER_PHOTO_MAX_PIXELS: positiveInt(50_000_000),
    /** Bootstraps one administrator account at start-up when both are set (and it does not exist yet). */
    ROUTER_ADMIN_USERNAME: z.string().min(3).max(64).optional(),
    ROUTER_ADMIN_PASSWORD: z.string().min(10).max(200).optional(),
  })
  .refine((env) => env.NODE_ENV !== 'production' || !!env.ROUTER_JWT_SECRET, {
    path: ['ROUTER_JWT_SECRET'],
    message: 'is required in production',
  });

type RouterEnv = z.infer<typeof routerEnvSchema>;

export interface RouterConfig extends PlatformConfig {
  env: RouterEnv & { ROUTER_JWT_SECRET: string };
}

const DEV_JWT_SECRET = 'wenzheng-router-development-secret-not-for-production';

export function readRouterConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  const parsed = loadConfig(routerEnvSchema, env);
  return {
    app: 'router',
    schema: 'router',
    port: parsed.ROUTER_PORT,
    env: { ...parsed, ROUTER_JWT_SECRET: parsed.ROUTER_JWT_SECRET ?? DEV_JWT_SECRET },
  };
}
