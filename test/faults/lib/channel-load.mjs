// WeChat and Weibo citizens for the fault load. A conversation is a long text that opens a draft, then 提交,
// pushed as the vendors push (../shared/reference/wechat.md, weibo.md): signed, and re-sent unchanged (same
// MsgId; for Weibo, which has no id, the same body, so the same sender_id + created_at + type + text) when no
// answer came within 5 s, up to three times. An error answer ends the vendor's tries (the citizen is shown an
// error), as do three retries without an answer. The harness keeps re-sending the same push (~75 s in all, as
// load.mjs does for the app) so that a push caught by a kill -9 or a broker or PostgreSQL restart is answered in
// the end, and counts the pushes the vendor itself would have given up on.
//
// The signing and the XML are written here from the reference, not imported from the apps: the vendor's side
// must not share code with the ingestors it tests.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inquiryBody } from './load.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha1 = (parts) => createHash('sha1').update([...parts].sort().join('')).digest('hex');

export const WECHAT_ACCOUNT = { appId: 'wxfaults0000001', appSecret: 'faults-wechat-secret', token: 'faultstoken', originalId: 'gh_faults' };
export const WEIBO_ACCOUNT = { uid: '1902538057', appSecret: 'faults-weibo-secret' };

const VENDOR_TIMEOUT_MS = 5000; // "With no answer in 5 s, WeChat drops the connection and retries" (Weibo: the same)
const VENDOR_ATTEMPTS = 4; // the push and its three retries, 5 s apart (a refused connection waits out its 5 s too)
const SUBMIT_GAP_MS = 500; // the citizen reads the reply to the long text, then sends 提交 (as the e2e benchmark)
const TRACKING = /受理编号\s*([A-Z]{1,4}\d{8}-\d+)/; // WX20261128-000123, then "。"

/**
 * Out of 20 inquiries: 12 app (60 %), 5 WeChat (25 %), 3 Weibo (15 %), as in the end-to-end benchmark.
 * @returns {'app' | 'wechat' | 'weibo'}
 */
export function channelOf(n) {
  const slot = n % 20;
  return slot < 12 ? 'app' : slot < 17 ? 'wechat' : 'weibo';
}

/**
 * The vendors' outbound APIs the notifier and the ingestors call (the stand-ins of test/support, compiled into
 * DIST), in this process, which the faults never kill; and the services' environment that points at them.
 */
export async function startVendorStandIns(dist) {
  const load = (path) => import(pathToFileURL(join(dist, 'test', 'support', ...path)).href);
  const [{ WechatApiStandIn }, { WeiboStandIn, weiboDate }] = await Promise.all([load(['stand-ins', 'wechat-api.js']), load(['weibo-stand-in.js'])]);
  const wechat = await WechatApiStandIn.start(WECHAT_ACCOUNT.appId, WECHAT_ACCOUNT.appSecret);
  const weibo = await WeiboStandIn.start();
  weibo.enforceWindows = true;
  const env = {
    WECHAT_ACCOUNTS: JSON.stringify([WECHAT_ACCOUNT]),
    WECHAT_API_BASE: wechat.url,
    WECHAT_APP_ID: WECHAT_ACCOUNT.appId,
    WECHAT_APP_SECRET: WECHAT_ACCOUNT.appSecret,
    WECHAT_TEMPLATE_ID: 'TPL_FAULTS',
    WEIBO_ACCOUNTS: JSON.stringify([{ ...WEIBO_ACCOUNT, accessToken: weibo.accessToken, pollMentions: false }]),
    WEIBO_API_BASE: weibo.url,
    WEIBO_UPLOAD_API_BASE: weibo.url,
    WEIBO_MESSAGE_API_BASE: weibo.url,
    WEIBO_ACCESS_TOKEN: weibo.accessToken,
  };
  return { wechat, weibo, weiboDate, env, close: () => Promise.allSettled([wechat.close(), weibo.close()]) };
}

const cdata = (s) => `<![CDATA[${s}]]>`;

/** The citizens of one run; `converse(n, channel)` is one conversation, `stats` what happened to them. */
export class ChannelCitizens {
  /**
   * @param {{ ports: { wechat: number, weibo: number }, runTag: string, seed: number, vendors: object }} o
   */
  constructor(o) {
    this.o = o;
    // Real MsgIds exceed 2^53: kept as strings, unique per run.
    this.msgIdBase = 6_100_000_000_000_000_000n + BigInt(Date.now()) * 1000n;
    this.stats = {};
    for (const ch of ['wechat', 'weibo']) {
      this.stats[ch] = { conversations: 0, acked: new Map(), failed: new Map(), noTracking: new Map(), pushes: 0, attempts: 0, errorAnswers: 0, vendorGaveUp: 0, after: { refused: 0, error: 0, lost: 0 }, lostAnswers: [] };
    }
  }

  openId(n) {
    return `oFaults_${this.o.runTag}_${n}`;
  }

  /** A Weibo uid (digits) that carries the run's seed. */
  weiboUid(n) {
    return String(5_000_000_000_000 + (this.o.seed % 1_000_000) * 100_000 + n);
  }

  userOf(n, channel) {
    return channel === 'wechat' ? this.openId(n) : this.weiboUid(n);
  }

  wechatPush(n, k, content) {
    const { appId, token, originalId } = WECHAT_ACCOUNT;
    const openId = this.openId(n);
    const now = Math.floor(Date.now() / 1000);
    const msgId = String(this.msgIdBase + BigInt(2 * n + k));
    const body = `<xml><ToUserName>${cdata(originalId)}</ToUserName><FromUserName>${cdata(openId)}</FromUserName><CreateTime>${now}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId></xml>`;
    const timestamp = String(now);
    const nonce = String(Math.floor(Math.random() * 1e9));
    const query = new URLSearchParams({ signature: sha1([token, timestamp, nonce]), timestamp, nonce, openid: openId });
    // The vendor's own record that the citizen wrote: the notifier may answer within 48 hours.
    this.o.vendors.wechat.openWindow(openId);
    return { url: `http://127.0.0.1:${this.o.ports.wechat}/wechat/${appId}?${query}`, contentType: 'text/xml', body, key: { msgId } };
  }

  weiboPush(n, content) {
    const { uid, appSecret } = WEIBO_ACCOUNT;
    const push = { receiver_id: Number(uid), sender_id: Number(this.weiboUid(n)), created_at: this.o.vendors.weiboDate(Date.now()), type: 'text', text: content, data: {} };
    const timestamp = String(Date.now());
    const nonce = String(Math.floor(Math.random() * 1e9));
    const query = new URLSearchParams({ signature: sha1([appSecret, timestamp, nonce]), timestamp, nonce });
    this.o.vendors.weibo.observe(push);
    const key = { prefix: `${push.sender_id}:${push.created_at}:text:`, submit: content === '提交' };
    return { url: `http://127.0.0.1:${this.o.ports.weibo}/weibo/${uid}?${query}`, contentType: 'application/json', body: JSON.stringify(push), key };
  }

  /** The reply text of a passive answer: WeChat XML, or Weibo's JSON with URL-encoded JSON in `data`. */
  static replyText(channel, body) {
    if (channel === 'wechat') return /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/.exec(body)?.[1] ?? body;
    try {
      return JSON.parse(decodeURIComponent(JSON.parse(body).data)).text;
    } catch {
      return body;
    }
  }

  /**
   * Sends one push until it is answered 200, the same request each time. Resolves with the reply text, or
   * throws with the last error once ~75 s of re-sending ran out.
   */
  async deliver(channel, request, attempts = 12) {
    const s = this.stats[channel];
    s.pushes++;
    let last = '';
    let vendorGaveUp = false;
    let failure;
    let lostRecorded = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      s.attempts++;
      if (failure) s.after[failure]++;
      // verify-channels.mjs asks the channel app whether an earlier copy was acted on before this re-send.
      if (failure === 'lost' && !lostRecorded) {
        s.lostAnswers.push({ ...request.key, resentAt: Date.now() });
        lostRecorded = true;
      }
      const tried = Date.now();
      try {
        const res = await fetch(request.url, {
          method: 'POST',
          headers: { 'content-type': request.contentType },
          body: request.body,
          signal: AbortSignal.timeout(VENDOR_TIMEOUT_MS),
        });
        const text = await res.text();
        if (res.status === 200) {
          if (vendorGaveUp || attempt > VENDOR_ATTEMPTS) s.vendorGaveUp++;
          return ChannelCitizens.replyText(channel, text);
        }
        vendorGaveUp = true;
        s.errorAnswers++;
        failure = 'error';
        last = `HTTP ${res.status} ${text.slice(0, 100)}`;
        if (res.status < 500 && res.status !== 429) break; // a 4xx will not change
      } catch (error) {
        // Refused: the push never reached a service. Otherwise it may have been acted on and only the answer lost.
        failure = error.cause?.code === 'ECONNREFUSED' ? 'refused' : 'lost';
        last = error.name === 'TimeoutError' ? 'no answer in 5 s' : `${error.name}: ${error.cause?.code ?? error.message}`;
      }
      await sleep(attempt < VENDOR_ATTEMPTS ? tried + VENDOR_TIMEOUT_MS - Date.now() : Math.min(8000, 1000 * 2 ** (attempt - VENDOR_ATTEMPTS)));
    }
    throw new Error(last);
  }

  /** One citizen's conversation: the long text (the n-th inquiry's, with its marker), then 提交. */
  async converse(n, channel) {
    const s = this.stats[channel];
    s.conversations++;
    const content = inquiryBody(n, this.o.runTag).content;
    const push = (k, text) => (channel === 'wechat' ? this.wechatPush(n, k, text) : this.weiboPush(n, text));
    const opening = push(0, content);
    try {
      await this.deliver(channel, opening);
    } catch (error) {
      s.failed.set(n, `long text: ${error.message}`);
      return;
    }
    await sleep(SUBMIT_GAP_MS);
    let reply;
    try {
      reply = await this.deliver(channel, push(1, '提交'));
    } catch (error) {
      s.failed.set(n, `提交: ${error.message}`);
      return;
    }
    const trackingNo = TRACKING.exec(reply)?.[1];
    // The long text was answered, so the draft exists: 提交 without a number means the platform lost it.
    if (!trackingNo) s.noTracking.set(n, reply.slice(0, 80));
    else s.acked.set(n, { user: this.userOf(n, channel), trackingNo });
  }
}
