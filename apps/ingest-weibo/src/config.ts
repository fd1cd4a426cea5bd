import { bool, loadConfig, platformEnvSchema, port, positiveInt, type PlatformConfig } from '@app/common';
import { accountListJson, channelEnvShape } from '@app/common/channel/channel.config.js';
import { z } from 'zod';

/** One Weibo account of the city in developer mode of the fans-service platform; several may be configured. */
export const weiboAccountSchema = z.object({
  /** The account's Weibo uid: `receiver_id` of its pushes and the path of its callback URL. */
  uid: z.string().regex(/^\d{1,20}$/, 'must be a Weibo uid (digits)'),
  /** Signs the pushes (plays the role of WeChat's token). */
  appSecret: z.string().min(1),
  /** The fans-service access token (msget, replies) and, for polling, the OAuth token of the account. */
  accessToken: z.string().min(1),
  /** Poll statuses/mentions and comments/mentions (accounts without the @mention push permission). */
  pollMentions: z.boolean().default(true),
});
export type WeiboAccount = z.infer<typeof weiboAccountSchema>;

const accountsJson = accountListJson(weiboAccountSchema, 'uid');

export const ingestWeiboEnvSchema = platformEnvSchema
  .extend({
    ...channelEnvShape,
    INGEST_WEIBO_PORT: port(3003),
    /** JSON list: [{"uid","appSecret","accessToken","pollMentions"?}, …]. */
    WEIBO_ACCOUNTS: accountsJson.optional(),
    /** statuses/mentions, comments/mentions. */
    WEIBO_API_BASE: z.url().default('https://api.weibo.com'),
    /** 2/mss/msget (media of private messages). */
    WEIBO_UPLOAD_API_BASE: z.url().default('https://upload.api.weibo.com'),
    /** Pushes whose timestamp (milliseconds) is further than this from our clock are refused; 0 turns the check off. */
    WEIBO_TIMESTAMP_WINDOW_SEC: z.coerce.number().int().min(0).default(300),
    WEIBO_MENU_ASK_KEY: z.string().min(1).default('WZ_ASK'),
    WEIBO_MENU_QUERY_KEY: z.string().min(1).default('WZ_QUERY'),
    MENTION_POLL_MS: positiveInt(60_000),
    /** Items per request (the API allows up to 200). */
    MENTION_POLL_COUNT: z.coerce.number().int().min(1).max(200).default(100),
    MENTION_POLLING: bool(true),
    TRACKING_PREFIX: z.string().regex(/^[A-Z]{1,4}$/).default('WB'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.WEIBO_ACCOUNTS?.length) {
      ctx.addIssue({ code: 'custom', path: ['WEIBO_ACCOUNTS'], message: 'required in production' });
    }
  });

export type IngestWeiboEnv = z.infer<typeof ingestWeiboEnvSchema>;

export interface IngestWeiboConfig extends PlatformConfig {
  env: IngestWeiboEnv;
  accounts: WeiboAccount[];
}

export function readIngestWeiboConfig(env: NodeJS.ProcessEnv = process.env): IngestWeiboConfig {
  const parsed = loadConfig(ingestWeiboEnvSchema, env);
  return {
    app: 'ingest-weibo',
    schema: 'ingest_weibo',
    port: parsed.INGEST_WEIBO_PORT,
    env: parsed,
    accounts: parsed.WEIBO_ACCOUNTS ?? [],
  };
}
