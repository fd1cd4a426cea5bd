import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { close, listen } from './http-util.js';

/**
 * A loopback stand-in for the WeChat Official Account OUTBOUND APIs (../shared/reference/wechat.md,
 * "Outbound APIs"): access_token, customer-service and template messages. (test/support/wechat-stand-in.ts
 * is a separate stand-in for the inbound side's media download.) It keeps its own record of each citizen's
 * last action, as the vendor does, and enforces the window: 5 messages within 48 h of a message, 3 within a
 * minute of a click/follow/scan; 45015 outside, 45047 when spent. Every answer is HTTP 200 with an errcode.
 */
export interface WechatCustomMessage {
  touser: string;
  msgtype: string;
  text?: { content: string };
  token: string;
  /** performance.now() when it arrived (benchmarks measure latency with it). */
  receivedAt: number;
}
export interface WechatTemplateMessage {
  touser: string;
  template_id: string;
  url?: string;
  data: Record<string, { value: string }>;
  token: string;
  msgid: string;
  receivedAt: number;
}

type Api = 'token' | 'custom' | 'template';

export class WechatApiStandIn {
  readonly custom: WechatCustomMessage[] = [];
  readonly templates: WechatTemplateMessage[] = [];
  tokensIssued = 0;
  private readonly valid = new Set<string>();
  private readonly expired = new Set<string>();
  private readonly activity = new Map<string, { at: number; kind: string; sent: number }>();
  private readonly failures: { api: Api; errcode: number; errmsg: string }[] = [];
  private msgSeq = 0n;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly appId: string,
    private readonly appSecret: string,
  ) {}

  static async start(appId = 'wx-stand-in-app', appSecret = 'stand-in-secret'): Promise<WechatApiStandIn> {
    let self: WechatApiStandIn | undefined;
    const { server, url } = await listen((req, body, u) => self!.handle(req.method ?? 'GET', u, body));
    self = new WechatApiStandIn(server, url, appId, appSecret);
    return self;
  }

  /** The citizen did something on the account (the vendor's own record, independent of what the notifier believes). */
  openWindow(openId: string, kind: 'message' | 'click' | 'follow' | 'scan' = 'message', at = Date.now()): void {
    this.activity.set(openId, { at, kind, sent: 0 });
  }

  /** The next call to `api` answers this errcode (once per call to failNext). */
  failNext(api: Api, errcode: number, errmsg = 'stand-in failure'): void {
    this.failures.push({ api, errcode, errmsg });
  }

  /** Every token issued so far is now expired (42001), as after 7200 s or a refresh elsewhere. */
  expireTokens(): void {
    for (const t of this.valid) this.expired.add(t);
    this.valid.clear();
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private takeFailure(api: Api): { errcode: number; errmsg: string } | undefined {
    const i = this.failures.findIndex((f) => f.api === api);
    return i >= 0 ? this.failures.splice(i, 1)[0] : undefined;
  }

  private handle(method: string, u: URL, body: string): { json?: unknown; raw?: string } {
    if (method === 'GET' && u.pathname === '/cgi-bin/token') {
      if (u.searchParams.get('grant_type') !== 'client_credential') return { json: { errcode: 40002, errmsg: 'invalid grant_type' } };
      if (u.searchParams.get('appid') !== this.appId) return { json: { errcode: 40013, errmsg: 'invalid appid' } };
      if (u.searchParams.get('secret') !== this.appSecret) return { json: { errcode: 40125, errmsg: 'invalid appsecret' } };
      const failure = this.takeFailure('token');
      if (failure) return { json: failure };
      const token = `ACCESS_TOKEN_${++this.tokensIssued}_${Math.random().toString(36).slice(2, 10)}`;
      this.valid.add(token);
      return { json: { access_token: token, expires_in: 7200 } };
    }
    if (method !== 'POST') return { json: { errcode: 43002, errmsg: 'require POST method' } };
    const token = u.searchParams.get('access_token') ?? '';
    if (this.expired.has(token)) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
    if (!this.valid.has(token)) return { json: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' } };
    let message: Record<string, any>;
    try {
      message = JSON.parse(body);
    } catch {
      return { json: { errcode: 47001, errmsg: 'data format error' } };
    }
    if (u.pathname === '/cgi-bin/message/custom/send') {
      const failure = this.takeFailure('custom');
      if (failure) return { json: failure };
      if (typeof message.touser !== 'string' || message.msgtype !== 'text' || typeof message.text?.content !== 'string') {
        return { json: { errcode: 47001, errmsg: 'data format error' } };
      }
      if (Buffer.byteLength(message.text.content, 'utf8') > 2048) return { json: { errcode: 45002, errmsg: 'content size out of limit' } };
      const window = this.activity.get(message.touser);
      const short = window && ['click', 'follow', 'scan'].includes(window.kind);
      const [span, quota] = short ? [60_000, 3] : [48 * 3600_000, 5];
      if (!window || Date.now() - window.at >= span) return { json: { errcode: 45015, errmsg: 'response out of time limit or subscription is canceled' } };
      if (window.sent >= quota) return { json: { errcode: 45047, errmsg: 'out of response count limit' } };
      window.sent++;
      this.custom.push({ touser: message.touser, msgtype: message.msgtype, text: message.text, token, receivedAt: performance.now() });
      return { json: { errcode: 0, errmsg: 'ok' } };
    }
    if (u.pathname === '/cgi-bin/message/template/send') {
      const failure = this.takeFailure('template');
      if (failure) return { json: failure };
      if (typeof message.touser !== 'string' || typeof message.template_id !== 'string' || typeof message.data !== 'object') {
        return { json: { errcode: 47001, errmsg: 'data format error' } };
      }
      // Real msgids exceed 2^53: answer one that a plain JSON.parse would corrupt.
      const msgid = (9007199254740993n + this.msgSeq++).toString();
      this.templates.push({ touser: message.touser, template_id: message.template_id, url: message.url, data: message.data, token, msgid, receivedAt: performance.now() });
      return { raw: `{"errcode":0,"errmsg":"ok","msgid":${msgid}}` };
    }
    return { json: { errcode: 40066, errmsg: 'invalid url' } };
  }
}
