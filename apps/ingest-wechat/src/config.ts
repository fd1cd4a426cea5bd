import { bool, loadConfig, platformEnvSchema, port, positiveInt, type PlatformConfig } from '@app/common';
import { z } from 'zod';

/** One Official Account the city runs; several may be configured. */
export const wechatAccountSchema = z.object({
  appId: z.string().regex(/^wx[0-9a-zA-Z]{6,30}$/, 'must be a WeChat AppID (wx…)'),
  appSecret: z.string().min(1),
  token: z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3-32 letters or digits'),
  /** 43 characters; required for safe and compatible mode. */
  encodingAesKey: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, 'must be 43 letters or digits')
    .optional(),
  /** The account's original id (gh_…), used as FromUserName of replies when given. */
  originalId: z.string().max(64).optional(),
});
export type WechatAccount = z.infer<typeof wechatAccountSchema>;

const accountsJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON list of accounts' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(wechatAccountSchema)
      .refine((list) => new Set(list.map((a) => a.appId)).size === list.length, 'AppIDs must be unique'),
  );

export const ingestWechatEnvSchema = platformEnvSchema
  .extend({
    INGEST_WECHAT_PORT: port(3002),
    /** JSON list: [{"appId","appSecret","token","encodingAesKey"?,"originalId"?}, …]. */
    WECHAT_ACCOUNTS: accountsJson.optional(),
    WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
    /** Pushes whose timestamp is further than this from our clock are refused; 0 turns the check off. */
    WECHAT_TIMESTAMP_WINDOW_SEC: z.coerce.number().int().min(0).default(300),
    WECHAT_MENU_ASK_KEY: z.string().min(1).default('WZ_ASK'),
    WECHAT_MENU_QUERY_KEY: z.string().min(1).default('WZ_QUERY'),
    /** A draft with text and no new message for this long is submitted by itself (10 minutes). */
    CONVERSATION_QUIET_SEC: positiveInt(600),
    CONVERSATION_DRAFT_TTL_HOURS: positiveInt(24),
    /** How long a submitted draft waits for its media downloads before going out without the missing ones. */
    CONVERSATION_MEDIA_WAIT_SEC: positiveInt(120),
    CONVERSATION_TICK_MS: positiveInt(1000),
    CHANNEL_ACTIVITY_THROTTLE_SEC: z.coerce.number().int().min(0).default(60),
    TRACKING_PREFIX: z.string().regex(/^[A-Z]{1,4}$/).default('WX'),
    MEDIA_MAX_ATTEMPTS: positiveInt(8),
    MEDIA_RETRY_BASE_MS: positiveInt(2000),
    MEDIA_POLL_MS: positiveInt(500),
    /** WeChat's own limits: images 10 MB, voice 2 MB, video 10 MB (we allow some headroom). */
    MEDIA_MAX_BYTES: positiveInt(20 * 1024 * 1024),
    PHOTO_MAX_PIXELS: positiveInt(40_000_000),
    /** The local object store's folder (the default ObjectStore of libs/common/src/media). */
    MEDIA_DIR: z.string().default('var/media'),
    MEDIA_WORKER: bool(true),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.WECHAT_ACCOUNTS?.length) {
      ctx.addIssue({ code: 'custom', path: ['WECHAT_ACCOUNTS'], message: 'required in production' });
    }
  });

export type IngestWechatEnv = z.infer<typeof ingestWechatEnvSchema>;

export interface IngestWechatConfig extends PlatformConfig {
  env: IngestWechatEnv;
  accounts: WechatAccount[];
}

export function readIngestWechatConfig(env: NodeJS.ProcessEnv = process.env): IngestWechatConfig {
  const parsed = loadConfig(ingestWechatEnvSchema, env);
  return {
    app: 'ingest-wechat',
    schema: 'ingest_wechat',
    port: parsed.INGEST_WECHAT_PORT,
    env: parsed,
    accounts: parsed.WECHAT_ACCOUNTS ?? [],
  };
}
