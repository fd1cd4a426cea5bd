import { ConfigError } from '@app/common';
import { readIngestWechatConfig } from './config.js';

const account = { appId: 'wx2c2769f8efd9abc2', appSecret: 's', token: 'spamtest', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };

describe('readIngestWechatConfig', () => {
  it('reads several accounts from one JSON variable', () => {
    const config = readIngestWechatConfig({ WECHAT_ACCOUNTS: JSON.stringify([account, { ...account, appId: 'wxb11529c136998cb6' }]) });
    expect(config.accounts.map((a) => a.appId)).toEqual(['wx2c2769f8efd9abc2', 'wxb11529c136998cb6']);
    expect(config.env.WECHAT_TIMESTAMP_WINDOW_SEC).toBe(300);
    expect(config.env.CONVERSATION_QUIET_SEC).toBe(600);
  });

  it.each([
    ['not JSON', '[{'],
    ['a bad AppID', JSON.stringify([{ ...account, appId: 'nope' }])],
    ['a short EncodingAESKey', JSON.stringify([{ ...account, encodingAesKey: 'abc' }])],
    ['duplicate AppIDs', JSON.stringify([account, account])],
  ])('names the problem with %s', (_what, value) => {
    expect(() => readIngestWechatConfig({ WECHAT_ACCOUNTS: value })).toThrow(ConfigError);
  });

  it('requires accounts in production', () => {
    expect(() => readIngestWechatConfig({ NODE_ENV: 'production' })).toThrow(/WECHAT_ACCOUNTS/);
  });
});
