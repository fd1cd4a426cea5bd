import { ConfigError } from '@app/common';
import { readNotifierConfig } from './config.js';

describe(readNotifierConfig.name, () => {
  it('has safe local defaults and parses lists', () => {
    const config = readNotifierConfig({ SUPERVISION_EMAILS: 'a@jw.gov.cn, b@jw.gov.cn' });
    expect(config.schema).toBe('notifier');
    expect(config.env.SUPERVISION_EMAILS).toEqual(['a@jw.gov.cn', 'b@jw.gov.cn']);
    expect(config.env.RATE_WECHAT).toBe(50);
  });

  it('refuses a lease too short for a vendor call, bad addresses, and production without secrets', () => {
    expect(() => readNotifierConfig({ DISPATCH_LEASE_MS: '1000', VENDOR_TIMEOUT_MS: '1000' })).toThrow(/DISPATCH_LEASE_MS/);
    expect(() => readNotifierConfig({ SUPERVISION_EMAILS: 'not-an-address' })).toThrow(ConfigError);
    expect(() => readNotifierConfig({ NODE_ENV: 'production' })).toThrow(/WECHAT_APP_SECRET: required in production/);
  });
});
