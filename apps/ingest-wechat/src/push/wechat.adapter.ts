import { randomBytes } from 'node:crypto';
import type { ChannelAdapter, ChannelAnswer, ChannelRequest } from '@app/common/channel/channel-adapter.js';
import { ChannelError } from '@app/common/channel/channel-error.js';
import type { InboundMessage } from '@app/common/channel/inbound-message.js';
import type { WechatAccount } from '../config.js';
import { signatureMatches, WechatCipher, wechatSignature, WX_ERR } from './wechat-crypto.js';
import { toInboundMessage, toWechatMessage, type WechatMessage } from './wechat-message.js';
import { buildWechatXml, parseWechatXml } from './wechat-xml.js';

export interface VerifiedWechatPush {
  account: WechatAccount;
  /** Safe or compatible mode: the answer goes back encrypted. */
  encrypted: boolean;
  /** The message XML (decrypted in AES mode). */
  xml: string;
  message?: WechatMessage;
}

export interface WechatAdapterOptions {
  accounts: WechatAccount[];
  /** Seconds; 0 turns the replay window off. */
  timestampWindowSec: number;
  now?: () => number;
}

/** A passive text reply holds about 2,048 bytes (reference); longer texts are cut on a character boundary. */
const MAX_REPLY_BYTES = 2000;

export function fitReply(text: string): string {
  if (Buffer.byteLength(text) <= MAX_REPLY_BYTES) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch + '…') > MAX_REPLY_BYTES) break;
    out += ch;
  }
  return `${out}…`;
}

/** The WeChat Official Account push: signature, timestamp window, AES, XML, and the answer in the push's mode. */
export class WechatAdapter implements ChannelAdapter<VerifiedWechatPush> {
  private readonly accounts = new Map<string, { account: WechatAccount; cipher?: WechatCipher }>();
  private readonly now: () => number;

  constructor(private readonly options: WechatAdapterOptions) {
    for (const account of options.accounts) {
      const cipher = account.encodingAesKey ? new WechatCipher(account.encodingAesKey, account.appId) : undefined;
      this.accounts.set(account.appId, { account, cipher });
    }
    this.now = options.now ?? Date.now;
  }

  accountOf(key: string): { account: WechatAccount; cipher?: WechatCipher } {
    const found = this.accounts.get(key);
    if (!found) throw new ChannelError('unknown_account', 'no such WeChat account');
    return found;
  }

  /** URL check (GET): the raw echostr when the signature is right. */
  verifyUrl(request: Omit<ChannelRequest, 'body'>): string {
    const { account, cipher } = this.accountOf(request.accountKey);
    const { timestamp = '', nonce = '', echostr, msg_signature: msgSignature } = request.query;
    if (!echostr) throw new ChannelError('malformed', 'echostr is missing');
    this.checkTimestamp(timestamp);
    // WeCom sends an encrypted echostr signed with msg_signature; accepting both forms does no harm (reference).
    if (msgSignature && cipher) {
      if (!signatureMatches(wechatSignature(account.token, timestamp, nonce, echostr), msgSignature)) {
        throw new ChannelError('unauthorized', 'bad msg_signature', WX_ERR.signature);
      }
      return cipher.decrypt(echostr);
    }
    this.checkSignature(account, request.query);
    return echostr;
  }

  verify(request: ChannelRequest): VerifiedWechatPush {
    const { account, cipher } = this.accountOf(request.accountKey);
    this.checkSignature(account, request.query);
    this.checkTimestamp(request.query.timestamp ?? '');
    if (request.query.encrypt_type !== 'aes') return { account, encrypted: false, xml: request.body };
    if (!cipher) throw new ChannelError('malformed', 'encrypted push for an account without EncodingAESKey', WX_ERR.aesKey);
    const outer = parseWechatXml(request.body);
    const encrypt = outer.Encrypt;
    if (typeof encrypt !== 'string' || !encrypt) throw new ChannelError('malformed', 'Encrypt is missing', WX_ERR.xml);
    const { timestamp = '', nonce = '', msg_signature: msgSignature } = request.query;
    if (!signatureMatches(wechatSignature(account.token, timestamp, nonce, encrypt), msgSignature)) {
      throw new ChannelError('unauthorized', 'bad msg_signature', WX_ERR.signature);
    }
    return { account, encrypted: true, xml: cipher.decrypt(encrypt) };
  }

  parse(verified: VerifiedWechatPush): InboundMessage | null {
    verified.message = toWechatMessage(parseWechatXml(verified.xml));
    return toInboundMessage(verified.message, verified.account.appId);
  }

  answer(verified: VerifiedWechatPush, replyText: string | null): ChannelAnswer {
    const message = verified.message;
    if (replyText === null || !message || message.MsgType === 'unknown') {
      return { status: 200, contentType: 'text/plain', body: 'success' };
    }
    const reply = buildWechatXml({
      ToUserName: message.FromUserName,
      FromUserName: message.ToUserName,
      CreateTime: Math.floor(this.now() / 1000),
      MsgType: 'text',
      Content: fitReply(replyText),
    });
    if (!verified.encrypted) return { status: 200, contentType: 'application/xml', body: reply };
    return { status: 200, contentType: 'application/xml', body: this.encryptReply(verified.account, reply) };
  }

  encryptReply(account: WechatAccount, xml: string, nonce = randomBytes(5).readUInt32BE(0).toString()): string {
    const { cipher } = this.accountOf(account.appId);
    const encrypt = cipher!.encrypt(xml);
    const timestamp = String(Math.floor(this.now() / 1000));
    return buildWechatXml({
      Encrypt: encrypt,
      MsgSignature: wechatSignature(account.token, timestamp, nonce, encrypt),
      TimeStamp: Number(timestamp),
      Nonce: nonce,
    });
  }

  private checkSignature(account: WechatAccount, query: ChannelRequest['query']): void {
    const { timestamp = '', nonce = '', signature } = query;
    if (!signatureMatches(wechatSignature(account.token, timestamp, nonce), signature)) {
      throw new ChannelError('unauthorized', 'bad signature', WX_ERR.signature);
    }
  }

  private checkTimestamp(timestamp: string): void {
    const window = this.options.timestampWindowSec;
    if (!/^\d{1,12}$/.test(timestamp)) throw new ChannelError('unauthorized', 'timestamp is missing or malformed');
    if (window > 0 && Math.abs(this.now() / 1000 - Number(timestamp)) > window) {
      throw new ChannelError('unauthorized', 'timestamp outside the accepted window');
    }
  }
}
