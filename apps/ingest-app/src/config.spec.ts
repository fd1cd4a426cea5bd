import { ConfigError } from '@app/common';
import { readIngestAppConfig } from './config.js';

describe(readIngestAppConfig.name, () => {
  it('gives development safe defaults for every secret', () => {
    const config = readIngestAppConfig({ NODE_ENV: 'development' });
    expect(config.env.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(config.env.TRACKING_PREFIX).toBe('YL');
    expect(config.env.VIDEO_MAX_BYTES).toBe(100 * 1048576);
  });

  it('refuses to start in production without the secrets, naming each one', () => {
    let error: unknown;
    try {
      readIngestAppConfig({ NODE_ENV: 'production' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['JWT_SECRET', 'PHONE_HMAC_KEY', 'PHONE_ENCRYPTION_KEY']) expect(problems).toContain(name);
  });

  it('accepts production with the secrets given', () => {
    const key = 'x'.repeat(40);
    const config = readIngestAppConfig({ NODE_ENV: 'production', JWT_SECRET: key, PHONE_HMAC_KEY: key, PHONE_ENCRYPTION_KEY: key });
    expect(config.env.PHONE_HMAC_KEY).toBe(key);
  });

  it('never lets Open311 media fetching reach loopback in production, and has no admin token there by default', () => {
    const key = 'x'.repeat(40);
    const production = { NODE_ENV: 'production', JWT_SECRET: key, PHONE_HMAC_KEY: key, PHONE_ENCRYPTION_KEY: key };
    expect(() => readIngestAppConfig({ ...production, OPEN311_MEDIA_ALLOW_LOOPBACK: 'true' })).toThrow(/OPEN311_MEDIA_ALLOW_LOOPBACK/);
    expect(readIngestAppConfig(production).env.OPEN311_ADMIN_TOKEN).toBeUndefined();
    expect(readIngestAppConfig({ NODE_ENV: 'development' }).env.OPEN311_MEDIA_ALLOW_LOOPBACK).toBe(false);
  });

  it('refuses a short secret and a malformed tracking prefix', () => {
    expect(() => readIngestAppConfig({ JWT_SECRET: 'short', TRACKING_PREFIX: 'yl' })).toThrow(/JWT_SECRET[\s\S]*TRACKING_PREFIX|TRACKING_PREFIX[\s\S]*JWT_SECRET/);
  });
});
