import { loadConfig, platformEnvSchema, port, type PlatformConfig } from '@app/common';
import { accountListJson, channelEnvShape } from '@app/common/channel/channel.config.js';
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

const accountsJson = accountListJson(wechatAccountSchema, 'appId');

export const ingestWechatEnvSchema = platformEnvSchema
  .extend({
    ...channelEnvShape,
    INGEST_WECHAT_PORT: port(3002),
    /** JSON list: [{"appId","appSecret","token","encodingAesKey"?,"originalId"?}, …]. */
    WECHAT_ACCOUNTS: accountsJson.optional(),
    WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
    /** Pushes whose timestamp is further than this from our clock are refused; 0 turns the check off. */
    WECHAT_TIMESTAMP_WINDOW_SEC: z.coerce.number().int().min(0).default(300),
    WECHAT_MENU_ASK_KEY: z.string().min(1).default('WZ_ASK'),
    WECHAT_MENU_QUERY_KEY: z.string().min(1).default('WZ_QUERY'),
    TRACKING_PREFIX: z.string().regex(/^[A-Z]{1,4}$/).default('WX'),
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
