import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bool, loadConfig, platformEnvSchema, port, positiveInt, type PlatformConfig } from '@app/common';
import { z } from 'zod';

const MB = 1048576;

/** A secret: at least 32 characters; in production it has no default (DESIGN "Infrastructure"). */
const secret = z.string().min(32, 'must be at least 32 characters').optional();

const DEV_SECRETS = {
  JWT_SECRET: 'dev-only-jwt-secret-do-not-use-in-production-0000',
  PHONE_HMAC_KEY: 'dev-only-phone-hmac-key-do-not-use-in-production-0',
  PHONE_ENCRYPTION_KEY: 'dev-only-phone-encryption-key-do-not-use-in-prod-0',
} as const;
/** Outside production only; in production without OPEN311_ADMIN_TOKEN the key administration is closed. */
const DEV_OPEN311_ADMIN_TOKEN = 'dev-only-open311-admin-token-do-not-use-in-prod-0';

export const ingestAppEnvSchema = platformEnvSchema
  .extend({
    INGEST_APP_PORT: port(3001),
    /** Letters in front of tracking numbers: YL20261127-000123 for Yulin. */
    TRACKING_PREFIX: z.string().regex(/^[A-Z]{1,4}$/, 'must be 1–4 capital letters').default('YL'),
    JWT_SECRET: secret,
    JWT_ACCESS_TTL_SECONDS: positiveInt(900),
    REFRESH_TTL_DAYS: positiveInt(30),
    /** Days a client's Idempotency-Key is remembered (0: forever); a retry after that makes a new inquiry. */
    IDEMPOTENCY_KEY_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
    /** Keys the phone-number lookup hash (HMAC-SHA256). */
    PHONE_HMAC_KEY: secret,
    /** Derives the AES-256-GCM key that encrypts phone numbers at rest. */
    PHONE_ENCRYPTION_KEY: secret,
    MEDIA_DIR: z.string().min(1).default('var/media'),
    /** Where uploads are streamed before the pipeline reads them; emptied per request. */
    UPLOAD_TMP_DIR: z.string().min(1).default(join(tmpdir(), 'wenzheng-ingest-app')),
    PHOTO_MAX_BYTES: positiveInt(20 * MB),
    VIDEO_MAX_BYTES: positiveInt(100 * MB),
    PHOTO_MAX_PIXELS: positiveInt(50_000_000),
    RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
    /** Requests per window from one IP address. */
    RATE_LIMIT_PER_IP: positiveInt(300),
    /** Requests per window from one signed-in account. */
    RATE_LIMIT_PER_ACCOUNT: positiveInt(120),
    /** Trust X-Forwarded-For from the reverse proxy in front of the app. */
    TRUST_PROXY: bool(false),
    READ_MODEL_CONSUMER: bool(true),
    /** Open311 GeoReport v2 (src/open311): the one jurisdiction this endpoint serves. */
    OPEN311_JURISDICTION_ID: z.string().min(1).max(100).default('yl.gov.cn'),
    /** Sent in `X-Admin-Token` to issue and revoke Open311 API keys. */
    OPEN311_ADMIN_TOKEN: secret,
    /** POSTs per minute per API key unless the key was issued with its own limit. */
    OPEN311_RATE_LIMIT_PER_KEY: positiveInt(60),
    /** media_url fetching: byte cap, whole-fetch time limit, retries of transient failures, job polling. */
    OPEN311_MEDIA_MAX_BYTES: positiveInt(20 * MB),
    OPEN311_MEDIA_TIMEOUT_MS: positiveInt(10_000),
    OPEN311_MEDIA_MAX_ATTEMPTS: positiveInt(5),
    OPEN311_MEDIA_POLL_MS: positiveInt(1000),
    OPEN311_MEDIA_WORKER: bool(true),
    /** Lets media_url reach 127.0.0.0/8 and ::1 (local test servers). Never in production. */
    OPEN311_MEDIA_ALLOW_LOOPBACK: bool(false),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    if (env.OPEN311_MEDIA_ALLOW_LOOPBACK) {
      ctx.addIssue({ code: 'custom', path: ['OPEN311_MEDIA_ALLOW_LOOPBACK'], message: 'must be false when NODE_ENV=production' });
    }
    for (const name of Object.keys(DEV_SECRETS) as (keyof typeof DEV_SECRETS)[]) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when NODE_ENV=production' });
    }
  });

type ParsedEnv = z.infer<typeof ingestAppEnvSchema>;
export type IngestAppEnv = Omit<ParsedEnv, keyof typeof DEV_SECRETS> & Record<keyof typeof DEV_SECRETS, string>;

export interface IngestAppConfig extends PlatformConfig {
  env: IngestAppEnv;
}

export function readIngestAppConfig(env: NodeJS.ProcessEnv = process.env): IngestAppConfig {
  const parsed = loadConfig(ingestAppEnvSchema, env);
  const withSecrets: IngestAppEnv = {
    ...parsed,
    JWT_SECRET: parsed.JWT_SECRET ?? DEV_SECRETS.JWT_SECRET,
    PHONE_HMAC_KEY: parsed.PHONE_HMAC_KEY ?? DEV_SECRETS.PHONE_HMAC_KEY,
    PHONE_ENCRYPTION_KEY: parsed.PHONE_ENCRYPTION_KEY ?? DEV_SECRETS.PHONE_ENCRYPTION_KEY,
    OPEN311_ADMIN_TOKEN: parsed.OPEN311_ADMIN_TOKEN ?? (parsed.NODE_ENV === 'production' ? undefined : DEV_OPEN311_ADMIN_TOKEN),
  };
  return { app: 'ingest-app', schema: 'ingest_app', port: parsed.INGEST_APP_PORT, env: withSecrets };
}

/** The injection token of this app's configuration. */
export const INGEST_APP_CONFIG = Symbol('INGEST_APP_CONFIG');
