import { z } from 'zod';
import { bool, positiveInt } from '../config/config.js';
import { localMediaIngestor } from './media-ingestor.js';

/**
 * The configuration every channel app that runs the conversation and downloads media shares (ingest-wechat,
 * ingest-weibo): spread into the app's own schema, so both read the same names with the same defaults.
 */
export const channelEnvShape = {
  /** A draft with text and no new message for this long is submitted by itself (10 minutes). */
  CONVERSATION_QUIET_SEC: positiveInt(600),
  CONVERSATION_DRAFT_TTL_HOURS: positiveInt(24),
  /** How long a submitted draft waits for its media downloads before going out without the missing ones. */
  CONVERSATION_MEDIA_WAIT_SEC: positiveInt(120),
  CONVERSATION_TICK_MS: positiveInt(1000),
  CHANNEL_ACTIVITY_THROTTLE_SEC: z.coerce.number().int().min(0).default(60),
  MEDIA_MAX_ATTEMPTS: positiveInt(8),
  MEDIA_RETRY_BASE_MS: positiveInt(2000),
  MEDIA_POLL_MS: positiveInt(500),
  /** WeChat's own limits: images 10 MB, voice 2 MB, video 10 MB (we allow some headroom); Weibo's are smaller. */
  MEDIA_MAX_BYTES: positiveInt(20 * 1024 * 1024),
  PHOTO_MAX_PIXELS: positiveInt(40_000_000),
  /** The local object store's folder (the default ObjectStore of libs/common/src/media). */
  MEDIA_DIR: z.string().default('var/media'),
  MEDIA_WORKER: bool(true),
};

export type ChannelEnv = { [K in keyof typeof channelEnvShape]: z.infer<(typeof channelEnvShape)[K]> };

/** The conversation's timing settings from a channel app's environment. */
export const conversationTimings = (env: ChannelEnv) => ({
  quietSec: env.CONVERSATION_QUIET_SEC,
  draftTtlHours: env.CONVERSATION_DRAFT_TTL_HOURS,
  mediaWaitSec: env.CONVERSATION_MEDIA_WAIT_SEC,
  activityThrottleSec: env.CHANNEL_ACTIVITY_THROTTLE_SEC,
});

/** The media worker's settings from a channel app's environment. */
export const mediaWorkerSettings = (env: ChannelEnv) => ({
  enabled: env.MEDIA_WORKER,
  maxAttempts: env.MEDIA_MAX_ATTEMPTS,
  retryBaseMs: env.MEDIA_RETRY_BASE_MS,
  pollMs: env.MEDIA_POLL_MS,
});

/** A channel's accounts as one JSON variable: a list of `account` objects whose `key` is unique. */
export function accountListJson<T extends z.ZodType<Record<string, unknown>>>(account: T, key: keyof z.infer<T> & string) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON list of accounts' });
        return z.NEVER;
      }
    })
    .pipe(z.array(account).refine((list) => new Set(list.map((a) => a[key])).size === list.length, `${key}s must be unique`));
}

/** The media ingestor of a channel app: the local object store and the shared pipeline with the app's limits. */
export const channelMediaIngestor = (env: ChannelEnv) =>
  localMediaIngestor({ mediaDir: env.MEDIA_DIR, maxBytes: env.MEDIA_MAX_BYTES, maxPixels: env.PHOTO_MAX_PIXELS });
