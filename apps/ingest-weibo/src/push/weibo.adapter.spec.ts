import { ChannelError } from '@app/common/channel/channel-error.js';
import type { WeiboAccount } from '../config.js';
import { fitReply, passiveReply, WeiboAdapter, weiboSignature } from './weibo.adapter.js';

const account: WeiboAccount = { uid: '1902538057', appSecret: 'xyz123xyz', accessToken: 't', pollMentions: false };
// The official example's clock (milliseconds), so its timestamp is inside the window.
const adapter = new WeiboAdapter({ accounts: [account], timestampWindowSec: 300, now: () => 1397022061823 });

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof ChannelError ? error.code : 'other';
  }
  return undefined;
};
const signed = (timestamp = '1397022061823', nonce = '57155157') => ({ timestamp, nonce, signature: weiboSignature(account.appSecret, timestamp, nonce) });

describe(WeiboAdapter.name, () => {
  it('answers the official URL check example with its echostr', () => {
    expect(weiboSignature('xyz123xyz', '1397022061823', '57155157')).toBe('90e4c22c90a58f26526c2dd5b6c56c8822edeaa1');
    const query = { nonce: '57155157', timestamp: '1397022061823', echostr: 'dnPdpTZz85', signature: '90e4c22c90a58f26526c2dd5b6c56c8822edeaa1' };
    expect(adapter.verifyUrl({ accountKey: account.uid, query })).toBe('dnPdpTZz85');
    expect(codeOf(() => adapter.verifyUrl({ accountKey: account.uid, query: { ...query, signature: 'f'.repeat(40) } }))).toBe('unauthorized');
    expect(codeOf(() => adapter.verifyUrl({ accountKey: '1', query }))).toBe('unknown_account');
  });

  it('checks the signature before looking at the body, and the timestamp window in milliseconds', () => {
    expect(codeOf(() => adapter.verify({ accountKey: account.uid, query: { ...signed(), signature: 'a'.repeat(40) }, body: '{' }))).toBe('unauthorized');
    const late = signed(String(1397022061823 + 301_000));
    expect(codeOf(() => adapter.verify({ accountKey: account.uid, query: late, body: '' }))).toBe('unauthorized');
    expect(codeOf(() => adapter.verify({ accountKey: account.uid, query: signed(String(1397022061823 + 299_000)), body: '' }))).toBeUndefined();
  });

  it('parses a text push and answers with the passive reply JSON of the reference', () => {
    const body = '{"type":"text","receiver_id":1902538057,"sender_id":2489518277,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"问政","data":{}}';
    const verified = adapter.verify({ accountKey: account.uid, query: signed(), body });
    expect(adapter.parse(verified)).toMatchObject({ channel: 'weibo', account: '1902538057', userId: '2489518277', body: { kind: 'text', text: '问政' } });
    const answer = adapter.answer(verified, '中文消息');
    expect(JSON.parse(answer.body)).toEqual({
      result: true,
      sender_id: '1902538057',
      receiver_id: '2489518277',
      type: 'text',
      data: '%7B%22text%22%3A%22%E4%B8%AD%E6%96%87%E6%B6%88%E6%81%AF%22%7D',
    });
    expect(adapter.answer(verified, null)).toEqual({ status: 200, contentType: 'text/plain', body: '' });
  });

  it('refuses malformed JSON and a push addressed to another account', () => {
    const verified = adapter.verify({ accountKey: account.uid, query: signed(), body: '{"type":' });
    expect(codeOf(() => adapter.parse(verified))).toBe('malformed');
    const other = '{"type":"text","receiver_id":42,"sender_id":2489518277,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"x","data":{}}';
    expect(codeOf(() => adapter.parse(adapter.verify({ accountKey: account.uid, query: signed(), body: other })))).toBe('forbidden');
  });

  it('keeps a passive reply under 300 characters', () => {
    expect([...fitReply('问'.repeat(400))].length).toBe(299);
    const data = JSON.parse(passiveReply('1', '2', '问'.repeat(400))).data as string;
    expect([...(JSON.parse(decodeURIComponent(data)) as { text: string }).text].length).toBeLessThan(300);
  });
});
