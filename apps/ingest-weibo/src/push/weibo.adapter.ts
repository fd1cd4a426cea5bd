import type { ChannelAdapter, ChannelAnswer, ChannelRequest } from '@app/common/channel/channel-adapter.js';
import { ChannelError } from '@app/common/channel/channel-error.js';
import type { InboundMessage } from '@app/common/channel/inbound-message.js';
import { signatureMatches, sortedSha1 } from '@app/common/channel/signature.js';
import type { WeiboAccount } from '../config.js';
import { toInboundMessage, toWeiboMessage, type WeiboMessage } from './weibo-message.js';
import { parseWeiboJson } from './weibo-json.js';

export interface VerifiedWeiboPush {
  account: WeiboAccount;
  body: string;
  message?: WeiboMessage;
}

export interface WeiboAdapterOptions {
  accounts: WeiboAccount[];
  /** Seconds; 0 turns the replay window off. */
  timestampWindowSec: number;
  now?: () => number;
}

/** A passive text reply must stay under 300 characters (reference). */
const MAX_REPLY_CHARS = 299;

export function fitReply(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_REPLY_CHARS ? text : `${chars.slice(0, MAX_REPLY_CHARS - 1).join('')}…`;
}

/** The signature of a Weibo push or URL check: sha1(sort([appSecret, timestamp, nonce]).join('')) (reference). */
export const weiboSignature = (appSecret: string, timestamp: string, nonce: string): string => sortedSha1(appSecret, timestamp, nonce);

/**
 * The fans-service platform push: signature with the app secret, timestamp window (Weibo's timestamps are
 * milliseconds), JSON body, and the answer — empty, or the passive reply JSON with its URL-encoded `data`.
 */
export class WeiboAdapter implements ChannelAdapter<VerifiedWeiboPush> {
  private readonly accounts: Map<string, WeiboAccount>;
  private readonly now: () => number;

  constructor(private readonly options: WeiboAdapterOptions) {
    this.accounts = new Map(options.accounts.map((a) => [a.uid, a]));
    this.now = options.now ?? Date.now;
  }

  accountOf(key: string): WeiboAccount {
    const found = this.accounts.get(key);
    if (!found) throw new ChannelError('unknown_account', 'no such Weibo account');
    return found;
  }

  /** URL check (GET): the raw echostr when the signature is right. */
  verifyUrl(request: Omit<ChannelRequest, 'body'>): string {
    const account = this.accountOf(request.accountKey);
    const echostr = request.query.echostr;
    this.check(account, request.query);
    if (!echostr) throw new ChannelError('malformed', 'echostr is missing');
    return echostr;
  }

  verify(request: ChannelRequest): VerifiedWeiboPush {
    const account = this.accountOf(request.accountKey);
    this.check(account, request.query);
    return { account, body: request.body };
  }

  parse(verified: VerifiedWeiboPush): InboundMessage | null {
    let json: unknown;
    try {
      json = parseWeiboJson(verified.body);
    } catch {
      throw new ChannelError('malformed', 'the push is not JSON');
    }
    verified.message = toWeiboMessage(json);
    // A push for another account is not a genuine push to this callback.
    if (verified.message.receiver_id !== verified.account.uid) throw new ChannelError('forbidden', 'receiver_id is not this account');
    return toInboundMessage(verified.message, verified.account.uid);
  }

  /** An empty body ends the platform's retries; a reply is the JSON of the reference with `data` URL-encoded. */
  answer(verified: VerifiedWeiboPush, replyText: string | null): ChannelAnswer {
    const message = verified.message;
    if (replyText === null || !message || message.type === 'unknown') return { status: 200, contentType: 'text/plain', body: '' };
    return { status: 200, contentType: 'application/json', body: passiveReply(message.receiver_id, message.sender_id, replyText) };
  }

  private check(account: WeiboAccount, query: ChannelRequest['query']): void {
    const { timestamp = '', nonce = '', signature } = query;
    if (!signatureMatches(weiboSignature(account.appSecret, timestamp, nonce), signature)) {
      throw new ChannelError('unauthorized', 'bad signature');
    }
    const window = this.options.timestampWindowSec;
    if (!/^\d{1,15}$/.test(timestamp)) throw new ChannelError('unauthorized', 'timestamp is missing or malformed');
    if (window > 0 && Math.abs(this.now() - Number(timestamp)) > window * 1000) {
      throw new ChannelError('unauthorized', 'timestamp outside the accepted window');
    }
  }
}

/** `{"result":true,"sender_id":<us>,"receiver_id":<citizen>,"type":"text","data":encodeURIComponent(JSON)}` (reference). */
export function passiveReply(ourUid: string, citizenUid: string, text: string): string {
  return JSON.stringify({
    result: true,
    sender_id: ourUid,
    receiver_id: citizenUid,
    type: 'text',
    data: encodeURIComponent(JSON.stringify({ text: fitReply(text) })),
  });
}
