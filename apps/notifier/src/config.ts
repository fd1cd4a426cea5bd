import { bool, ConfigError, loadConfig, platformEnvSchema, port, positiveInt, type PlatformConfig } from '@app/common';
import { z } from 'zod';

const optionalUrl = z.url().optional();
const emailList = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((e) => e.trim()).filter(Boolean))
  .pipe(z.array(z.email()));

export const notifierEnvSchema = platformEnvSchema.extend({
  NOTIFIER_PORT: port(3005),
  /** Where the public portal and the staff console live (links in messages). */
  PORTAL_BASE_URL: z.url().default('http://127.0.0.1:3001/portal'),
  CONSOLE_BASE_URL: z.url().default('http://127.0.0.1:3004/console'),
  MEDIA_BASE_URL: z.url().default('http://127.0.0.1:3001/media'),
  SUPERVISION_EMAILS: emailList,

  SMTP_HOST: z.string().default('127.0.0.1'),
  SMTP_PORT: port(25),
  SMTP_SECURE: bool(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().default('榆林百姓问政 <noreply@wenzheng.local>'),

  WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
  WECHAT_APP_ID: z.string().default('wx-unset'),
  WECHAT_APP_SECRET: z.string().default('unset'),
  WECHAT_TEMPLATE_ID: z.string().default('unset'),
  /** A customer-service text above this many UTF-8 bytes is cut and linked (45002 beyond ~2048). */
  WECHAT_TEXT_BYTES: positiveInt(1800),

  WEIBO_API_BASE: z.url().default('https://api.weibo.com'),
  WEIBO_MESSAGE_API_BASE: z.url().default('https://m.api.weibo.com'),
  WEIBO_ACCESS_TOKEN: z.string().default('unset'),
  /** Weibo private texts must stay under 300 characters. */
  WEIBO_TEXT_CHARS: positiveInt(280),
  WEIBO_COMMENT_CHARS: positiveInt(140),

  APP_PUSH_URL: optionalUrl,

  DISPATCH_POLL_MS: positiveInt(200),
  DISPATCH_BATCH: positiveInt(50),
  DISPATCH_CONCURRENCY: positiveInt(8),
  /** A claimed row whose sender did not report back within this long is recovered (see DeliveryRepository). */
  DISPATCH_LEASE_MS: positiveInt(60000),
  DELIVERY_MAX_ATTEMPTS: positiveInt(6),
  /** Days finished deliveries (sent, cancelled, dead, uncertain) are kept as the record of what went out (0: forever). */
  DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(0).default(400),
  DELIVERY_RETRY_BASE_MS: positiveInt(2000),
  DELIVERY_RETRY_MAX_MS: positiveInt(3600000),
  VENDOR_TIMEOUT_MS: positiveInt(10000),
  WEBHOOK_DISABLE_AFTER: positiveInt(5),
  /** How long a WeChat message waits for the citizen to reopen the window after 45047 before the template. */
  WINDOW_WAIT_MS: positiveInt(6 * 3600000),
  SURVEY_DELAY_MS: z.coerce.number().int().min(0).default(60000),
  SURVEY_REMINDER_MS: positiveInt(24 * 3600000),

  /** Sends per second and burst, per channel (token buckets, per instance). */
  RATE_WECHAT: positiveInt(50),
  RATE_WEIBO: positiveInt(20),
  RATE_APP: positiveInt(200),
  RATE_EMAIL: positiveInt(20),
  RATE_WEBHOOK: positiveInt(50),
  DISPATCHER_ENABLED: bool(true),
  /** `X-Admin-Token` of the operators' dead-letter replay (`POST /dead-letters/replay`); unset: closed. */
  NOTIFIER_ADMIN_TOKEN: z.string().min(24).optional(),
  /** Consumer group names are `<prefix>.cases` etc.; a new prefix starts a new group. */
  NOTIFIER_GROUP_PREFIX: z.string().regex(/^[a-z0-9._-]+$/).default('notifier'),
  /** Where a group with no committed offset starts; false only for benchmarks that must not replay history. */
  NOTIFIER_FROM_BEGINNING: bool(true),
});

export type NotifierEnv = z.infer<typeof notifierEnvSchema>;

export interface NotifierConfig extends PlatformConfig {
  env: NotifierEnv;
}

export function readNotifierConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const parsed = loadConfig(notifierEnvSchema, env);
  if (parsed.NODE_ENV === 'production') {
    const missing = (['WECHAT_APP_SECRET', 'WEIBO_ACCESS_TOKEN'] as const).filter((k) => parsed[k] === 'unset');
    if (missing.length) throw new ConfigError(missing.map((k) => `${k}: required in production`));
  }
  if (parsed.DISPATCH_LEASE_MS < 5 * parsed.VENDOR_TIMEOUT_MS) {
    throw new ConfigError([`DISPATCH_LEASE_MS must be at least 5 × VENDOR_TIMEOUT_MS (${5 * parsed.VENDOR_TIMEOUT_MS})`]);
  }
  return { app: 'notifier', schema: 'notifier', port: parsed.NOTIFIER_PORT, env: parsed };
}
