import { ChannelError } from '@app/common/channel/channel-error.js';
import type { WechatAccount } from '../config.js';
import { WechatCipher, wechatSignature } from './wechat-crypto.js';
import { fitReply, WechatAdapter } from './wechat.adapter.js';
import { parseWechatXml } from './wechat-xml.js';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const account: WechatAccount = { appId: 'wx2c2769f8efd9abc2', appSecret: 's', token: 'spamtest', encodingAesKey: KEY };
const B_ENCRYPT =
  'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof ChannelError ? error.code : 'other';
  }
  return undefined;
};

describe(WechatAdapter.name, () => {
  // Vector B's own clock, so its timestamp is inside the window.
  const adapter = new WechatAdapter({ accounts: [account], timestampWindowSec: 300, now: () => 1409735669_000 });

  it('verifies and decrypts vector B as a safe-mode push, then answers encrypted', () => {
    const query = {
      signature: '16120ec1b8dbb870f510d87ce6bc2463eae6ca1a',
      timestamp: '1409735669',
      nonce: '1320562132',
      encrypt_type: 'aes',
      msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
    };
    const verified = adapter.verify({ accountKey: account.appId, query, body: `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${B_ENCRYPT}]]></Encrypt></xml>` });
    const message = adapter.parse(verified);
    expect(message).toMatchObject({ userId: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', dedupKey: '6054768590064713728', body: { kind: 'text', text: 'abcdteT' } });
    const answer = adapter.answer(verified, '你好');
    const outer = parseWechatXml(answer.body);
    expect(outer.MsgSignature).toBe(wechatSignature(account.token, String(outer.TimeStamp), String(outer.Nonce), String(outer.Encrypt)));
    const inner = parseWechatXml(new WechatCipher(KEY, account.appId).decrypt(String(outer.Encrypt)));
    expect(inner).toMatchObject({ ToUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', FromUserName: 'gh_10f6c3c3ac5a', Content: '你好', MsgType: 'text' });
  });

  it('checks the signature before looking at the body', () => {
    const query = { signature: 'f'.repeat(40), timestamp: '1409735669', nonce: '1' };
    const body = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>';
    expect(codeOf(() => adapter.verify({ accountKey: account.appId, query, body }))).toBe('unauthorized');
  });

  it('refuses a timestamp outside the window, and accepts any when the window is 0', () => {
    const old = { timestamp: '1409730000', nonce: '1', signature: wechatSignature(account.token, '1409730000', '1') };
    expect(codeOf(() => adapter.verify({ accountKey: account.appId, query: old, body: '' }))).toBe('unauthorized');
    const open = new WechatAdapter({ accounts: [account], timestampWindowSec: 0, now: () => 1409735669_000 });
    expect(codeOf(() => open.verify({ accountKey: account.appId, query: old, body: '' }))).toBeUndefined();
  });

  it('answers the URL check with the plain echostr, or the decrypted one (WeCom form)', () => {
    const timestamp = '1409735669';
    expect(
      adapter.verifyUrl({ accountKey: account.appId, query: { timestamp, nonce: '7', echostr: 'abc', signature: wechatSignature(account.token, timestamp, '7') } }),
    ).toBe('abc');
    const echostr = new WechatCipher(KEY, account.appId).encrypt('1616140317555161061');
    const msgSignature = wechatSignature(account.token, timestamp, '7', echostr);
    expect(adapter.verifyUrl({ accountKey: account.appId, query: { timestamp, nonce: '7', echostr, msg_signature: msgSignature } })).toBe('1616140317555161061');
    expect(codeOf(() => adapter.verifyUrl({ accountKey: 'wxother', query: { timestamp, nonce: '7', echostr: 'x' } }))).toBe('unknown_account');
  });

  it('cuts replies to the passive reply limit on a character boundary', () => {
    const long = fitReply('问'.repeat(1000));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(2000);
    expect(long.endsWith('…')).toBe(true);
    expect(fitReply('短')).toBe('短');
  });
});
