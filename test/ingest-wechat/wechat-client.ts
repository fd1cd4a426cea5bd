import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { WechatCipher, wechatSignature } from '../../apps/ingest-wechat/src/push/wechat-crypto.js';
import { buildWechatXml, parseWechatXml, type XmlRecord } from '../../apps/ingest-wechat/src/push/wechat-xml.js';

export const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const ACCOUNT_A = { appId: 'wx2c2769f8efd9abc2', appSecret: 'secret-a', token: 'spamtest', encodingAesKey: KEY, originalId: 'gh_10f6c3c3ac5a' };
export const ACCOUNT_B = { appId: 'wxb11529c136998cb6', appSecret: 'secret-b', token: 'pamtest' };

// Above 2^53 like real MsgIds, and distinct per test file (the database outlives a file's module registry).
let msgSeq = 6000000000000000000n + BigInt(Date.now()) * 100000n + BigInt(Math.floor(Math.random() * 1000)) * 100n;
export const nextMsgId = (): string => String(++msgSeq);
let userSeq = 0;
const run = Math.random().toString(36).slice(2, 8);
export const newOpenId = (): string => `oTest${run}${Date.now().toString(36)}${(++userSeq).toString().padStart(4, '0')}`;

export type Mode = 'plain' | 'compatible' | 'safe';

/** Sends pushes the way WeChat does: signed URL, XML body, optionally encrypted. */
export class WechatClient {
  constructor(
    private readonly app: INestApplication,
    readonly account: { appId: string; token: string; encodingAesKey?: string; originalId?: string } = ACCOUNT_A,
    readonly mode: Mode = 'plain',
  ) {}

  message(openId: string, fields: Record<string, string | number>): Record<string, string | number> {
    return {
      ToUserName: this.account.originalId ?? 'gh_test',
      FromUserName: openId,
      CreateTime: Math.floor(Date.now() / 1000),
      ...fields,
    };
  }

  text(openId: string, content: string, msgId = nextMsgId()): Record<string, string | number> {
    return this.message(openId, { MsgType: 'text', Content: content, MsgId: msgId });
  }

  /** Posts and returns the HTTP answer plus, for XML replies, the decoded reply fields. */
  async push(fields: Record<string, string | number>, options: { body?: string; query?: Record<string, string> } = {}) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    const plain = buildWechatXml(fields);
    const query: Record<string, string> = { signature: wechatSignature(this.account.token, timestamp, nonce), timestamp, nonce, openid: String(fields.FromUserName ?? '') };
    let body = options.body ?? plain;
    if (this.mode !== 'plain' && !options.body) {
      const encrypt = new WechatCipher(this.account.encodingAesKey!, this.account.appId).encrypt(plain);
      const outer: Record<string, string | number> = this.mode === 'safe' ? { ToUserName: String(fields.ToUserName), Encrypt: encrypt } : { ...fields, Encrypt: encrypt };
      body = buildWechatXml(outer);
      query.encrypt_type = 'aes';
      query.msg_signature = wechatSignature(this.account.token, timestamp, nonce, encrypt);
    }
    const res = await request(this.app.getHttpServer())
      .post(`/wechat/${this.account.appId}`)
      .query({ ...query, ...options.query })
      .set('Content-Type', 'text/xml')
      .send(body);
    return { res, reply: this.decode(res.text) };
  }

  /** The reply's fields; an encrypted reply is verified and decrypted first. */
  decode(text: string): XmlRecord | undefined {
    if (!text.startsWith('<xml>')) return undefined;
    const outer = parseWechatXml(text);
    if (typeof outer.Encrypt !== 'string') return outer;
    const expected = wechatSignature(this.account.token, String(outer.TimeStamp), String(outer.Nonce), outer.Encrypt);
    if (expected !== outer.MsgSignature) throw new Error('reply MsgSignature does not verify');
    return { ...parseWechatXml(new WechatCipher(this.account.encodingAesKey!, this.account.appId).decrypt(outer.Encrypt)), encrypted: 'yes' };
  }
}
