import { ConfigError } from '@app/common';
import { readIngestWeiboConfig } from './config.js';

const account = { uid: '1902538057', appSecret: 'xyz123xyz', accessToken: 'token' };

describe('readIngestWeiboConfig', () => {
  it('reads the accounts and the polling settings', () => {
    const config = readIngestWeiboConfig({ WEIBO_ACCOUNTS: JSON.stringify([account]), MENTION_POLL_MS: '5000' });
    expect(config.accounts).toEqual([{ ...account, pollMentions: true }]);
    expect(config.env.MENTION_POLL_MS).toBe(5000);
    expect(config.env.TRACKING_PREFIX).toBe('WB');
  });

  it.each([
    ['not JSON', '[{'],
    ['a uid that is not digits', JSON.stringify([{ ...account, uid: 'abc' }])],
    ['duplicate uids', JSON.stringify([account, account])],
  ])('names the problem with %s', (_what, value) => {
    expect(() => readIngestWeiboConfig({ WEIBO_ACCOUNTS: value })).toThrow(ConfigError);
  });

  it('requires accounts in production and bounds the poll size', () => {
    expect(() => readIngestWeiboConfig({ NODE_ENV: 'production' })).toThrow(/WEIBO_ACCOUNTS/);
    expect(() => readIngestWeiboConfig({ MENTION_POLL_COUNT: '500' })).toThrow(ConfigError);
  });
});
