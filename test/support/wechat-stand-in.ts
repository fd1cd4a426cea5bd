import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the WeChat API (../shared/reference/wechat.md, "Outbound APIs"): every answer is
 * HTTP 200 and failures are `{"errcode","errmsg"}`. It implements cgi-bin/token (a new token invalidates the
 * old one after a grace period), cgi-bin/media/get (binary success, JSON failure, `video_url` for videos),
 * cgi-bin/message/custom/send (the 48-hour window with 5 messages; 1 minute with 3 after a menu click,
 * follow or scan) and cgi-bin/message/template/send. Time is injectable so tests can move the clock.
 */
export interface StandInAccount {
  appId: string;
  secret: string;
}

interface TokenState {
  current: string;
  expiresAt: number;
  previous?: { token: string; validUntil: number };
}

interface Media {
  bytes: Buffer;
  contentType: string;
  filename: string;
  video: boolean;
}

interface UserState {
  following: boolean;
  refused: boolean;
  window?: { until: number; left: number };
}

export interface SentMessage {
  appId: string;
  api: 'custom' | 'template';
  body: Record<string, unknown>;
  at: number;
}

const HOUR = 3600_000;
const err = (errcode: number, errmsg: string) => ({ errcode, errmsg });

export class WechatStandIn {
  readonly sent: SentMessage[] = [];
  /** How many times each account fetched a token. */
  readonly tokenFetches = new Map<string, number>();
  readonly mediaRequests: string[] = [];
  now: () => number = Date.now;
  tokenTtlSec = 7200;
  /** How long a replaced token keeps working (about 5 minutes on the real platform). */
  graceMs = 5 * 60_000;
  templates = new Set<string>(['TPL_REPLY']);

  private server?: Server;
  private readonly accounts = new Map<string, StandInAccount>();
  private readonly tokens = new Map<string, TokenState>();
  private readonly media = new Map<string, Media>();
  private readonly users = new Map<string, UserState>();
  private readonly faults: { path: string; errcode: number; times: number }[] = [];
  private msgid = 100000000;

  constructor(accounts: StandInAccount[]) {
    for (const a of accounts) this.accounts.set(a.appId, a);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.baseUrl;
  }

  get baseUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  addMedia(appId: string, mediaId: string, bytes: Buffer, contentType = 'image/jpeg', video = false): void {
    this.media.set(`${appId}/${mediaId}`, { bytes, contentType, filename: `${mediaId}.${contentType.split('/')[1]}`, video });
  }

  /** The next `times` calls to `path` (e.g. '/cgi-bin/media/get') answer `errcode`. */
  failNext(path: string, errcode: number, times = 1): void {
    this.faults.push({ path, errcode, times });
  }

  /** Expires the account's current token at once (the next call using it gets 42001). */
  expireToken(appId: string): void {
    const state = this.tokens.get(appId);
    if (state) state.expiresAt = this.now() - 1;
  }

  /** The citizen did something that opens the customer-service window. */
  userActs(appId: string, openId: string, kind: 'message' | 'click' | 'follow' | 'scan' = 'message'): void {
    const user = this.user(appId, openId);
    user.following = kind === 'follow' ? true : user.following;
    user.window = kind === 'message' ? { until: this.now() + 48 * HOUR, left: 5 } : { until: this.now() + 60_000, left: 3 };
  }

  setUser(appId: string, openId: string, state: Partial<UserState>): void {
    Object.assign(this.user(appId, openId), state);
  }

  private user(appId: string, openId: string): UserState {
    const key = `${appId}/${openId}`;
    let user = this.users.get(key);
    if (!user) this.users.set(key, (user = { following: true, refused: false }));
    return user;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const q = Object.fromEntries(url.searchParams);
    try {
      const fault = this.faults.find((f) => f.path === url.pathname && f.times > 0);
      if (fault) {
        fault.times--;
        return json(res, err(fault.errcode, 'injected fault'));
      }
      switch (url.pathname) {
        case '/cgi-bin/token':
          return json(res, this.token(q));
        case '/cgi-bin/media/get':
          return this.mediaGet(q, res);
        case '/cgi-bin/message/custom/send':
          return json(res, this.custom(q, await readJson(req)));
        case '/cgi-bin/message/template/send':
          return json(res, this.template(q, await readJson(req)));
        default:
          if (url.pathname.startsWith('/video/')) return this.videoFile(url.pathname.slice(7), res);
          return json(res, err(404, 'not found'));
      }
    } catch {
      return json(res, err(47001, 'data format error'));
    }
  }

  private token(q: Record<string, string>): object {
    if (q.grant_type !== 'client_credential') return err(40002, 'invalid grant_type');
    const account = this.accounts.get(q.appid);
    if (!account) return err(40013, 'invalid appid');
    if (q.secret !== account.secret) return err(40125, 'invalid appsecret');
    this.tokenFetches.set(q.appid, (this.tokenFetches.get(q.appid) ?? 0) + 1);
    const old = this.tokens.get(q.appid);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(q.appid, {
      current: token,
      expiresAt: this.now() + this.tokenTtlSec * 1000,
      previous: old ? { token: old.current, validUntil: Math.min(old.expiresAt, this.now() + this.graceMs) } : undefined,
    });
    return { access_token: token, expires_in: this.tokenTtlSec };
  }

  /** The account a token belongs to, or the WeChat error for it. */
  private check(token: string | undefined): { appId: string } | { error: object } {
    if (!token) return { error: err(41001, 'access_token missing') };
    for (const [appId, state] of this.tokens) {
      if (state.current === token) return state.expiresAt > this.now() ? { appId } : { error: err(42001, 'access_token expired') };
      if (state.previous?.token === token) {
        return state.previous.validUntil > this.now() ? { appId } : { error: err(40001, 'invalid credential, access_token is invalid or not latest') };
      }
    }
    return { error: err(40001, 'invalid credential, access_token is invalid or not latest') };
  }

  private mediaGet(q: Record<string, string>, res: ServerResponse): void {
    const auth = this.check(q.access_token);
    if ('error' in auth) return json(res, auth.error);
    this.mediaRequests.push(q.media_id ?? '');
    const media = this.media.get(`${auth.appId}/${q.media_id}`);
    if (!media) return json(res, err(40007, 'invalid media_id'));
    if (media.video) return json(res, { video_url: `${this.baseUrl}/video/${encodeURIComponent(`${auth.appId}/${q.media_id}`)}` });
    res.writeHead(200, {
      'Content-Type': media.contentType,
      'Content-disposition': `attachment; filename="${media.filename}"`,
      'Content-Length': media.bytes.length,
    });
    res.end(media.bytes);
  }

  private videoFile(key: string, res: ServerResponse): void {
    const media = this.media.get(decodeURIComponent(key));
    if (!media) return json(res, err(40007, 'invalid media_id'));
    res.writeHead(200, { 'Content-Type': media.contentType, 'Content-Length': media.bytes.length });
    res.end(media.bytes);
  }

  private custom(q: Record<string, string>, body: Record<string, unknown>): object {
    const auth = this.check(q.access_token);
    if ('error' in auth) return auth.error;
    const to = body.touser;
    if (typeof to !== 'string' || !/^[A-Za-z0-9_-]{6,64}$/.test(to)) return err(40003, 'invalid openid');
    const user = this.users.get(`${auth.appId}/${to}`);
    if (!user) return err(40003, 'invalid openid');
    if (!user.following) return err(43004, 'require subscribe');
    if (user.refused) return err(48002, 'api forbidden for user refused');
    if (body.msgtype === 'text') {
      const content = (body.text as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' || !content) return err(44003, 'empty news data');
      if (Buffer.byteLength(content) > 2048) return err(45002, 'content size out of limit');
    } else if (!['image', 'news', 'voice', 'video'].includes(String(body.msgtype))) {
      return err(40008, 'invalid message type');
    }
    if (!user.window || user.window.until < this.now()) return err(45015, 'response out of time limit or subscription is canceled');
    if (user.window.left <= 0) return err(45047, 'out of response count limit');
    user.window.left--;
    this.sent.push({ appId: auth.appId, api: 'custom', body, at: this.now() });
    return err(0, 'ok');
  }

  private template(q: Record<string, string>, body: Record<string, unknown>): object {
    const auth = this.check(q.access_token);
    if ('error' in auth) return auth.error;
    const user = typeof body.touser === 'string' ? this.users.get(`${auth.appId}/${body.touser}`) : undefined;
    if (!user) return err(40003, 'invalid openid');
    if (!user.following) return err(43004, 'require subscribe');
    if (typeof body.template_id !== 'string' || !this.templates.has(body.template_id)) return err(40037, 'invalid template_id');
    if (typeof body.data !== 'object' || body.data === null) return err(47001, 'data format error');
    this.sent.push({ appId: auth.appId, api: 'template', body, at: this.now() });
    return { errcode: 0, errmsg: 'ok', msgid: this.msgid++ };
  }
}

function json(res: ServerResponse, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json; encoding=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
  return parsed as Record<string, unknown>;
}
