import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { close, listen, type Answer } from './stand-ins/http-util.js';

/**
 * The one loopback stand-in for the Weibo APIs (../shared/reference/weibo.md), used by ingest-weibo and the
 * notifier: 2/mss/msget (binary success, JSON failure), statuses/mentions and comments/mentions (since_id,
 * count ≤ 200, page; ids sent as bare 64-bit numbers like the platform does), messages/reply.json (form-encoded,
 * `data` = URL-encoded JSON, text under 300 characters) and comments/reply.json. Failures are
 * `{"error","error_code","request"}` with HTTP 400.
 *
 * With `enforceWindows`, replies follow the platform's rules: allowed for 48 hours after the citizen's message,
 * follow, menu click or scan (seen through `observe`); only one after a mention; none after an unfollow.
 */
export interface WeiboPrivateReply {
  receiverId: string;
  type: string;
  text: string;
  saveSenderBox: string;
  receivedAt: number;
}
export interface WeiboComment {
  statusId: string;
  commentId?: string;
  comment: string;
  receivedAt: number;
}

type Api = 'reply' | 'comment' | 'msget' | 'mentions';

interface Mention {
  id: bigint;
  uid: string;
  text: string;
  at: number;
  statusId?: bigint;
}

interface CitizenState {
  windowUntil?: number;
  mentionReplies: number;
  unfollowed: boolean;
}

const HOUR = 3600_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number) => String(n).padStart(2, '0');

/** Weibo's date format in Beijing time: `Mon Jul 16 18:09:20 +0800 2012`. */
export function weiboDate(ms: number): string {
  const d = new Date(ms + 8 * HOUR);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0800 ${d.getUTCFullYear()}`;
}

export class WeiboStandIn {
  readonly replies: WeiboPrivateReply[] = [];
  readonly comments: WeiboComment[] = [];
  readonly mediaRequests: string[] = [];
  /** How many times each mentions feed was read. */
  readonly mentionReads = { status: 0, comment: 0 };
  /** The since_id of every mentions read ('' when none was given). */
  readonly sinceIds: Record<'status' | 'comment', string[]> = { status: [], comment: [] };
  enforceWindows = false;
  now: () => number = Date.now;

  private readonly failures: { api: Api; code: number; error: string }[] = [];
  private readonly media = new Map<string, { bytes: Buffer; contentType: string }>();
  private readonly statusMentions: Mention[] = [];
  private readonly commentMentions: Mention[] = [];
  private readonly citizens = new Map<string, CitizenState>();
  private seq = 0n;
  private mentionSeq = 4990000000000000000n + BigInt(Date.now()) * 1000n;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly accessToken: string,
  ) {}

  static async start(accessToken = 'weibo-stand-in-token'): Promise<WeiboStandIn> {
    let self: WeiboStandIn | undefined;
    const { server, url } = await listen((req, body, u) => self!.handle(req.method ?? 'GET', u, body));
    self = new WeiboStandIn(server, url, accessToken);
    return self;
  }

  failNext(api: Api, code: number, error = 'stand-in failure'): void {
    this.failures.push({ api, code, error });
  }

  close(): Promise<void> {
    return close(this.server);
  }

  /** A file the citizen sent, downloadable by its `tovfid`. */
  addMedia(fid: string, bytes: Buffer, contentType = 'image/jpeg'): void {
    this.media.set(fid, { bytes, contentType });
  }

  /** A post by `uid` that @mentions the account; returns its id. */
  addStatusMention(uid: string, text: string): string {
    const id = ++this.mentionSeq;
    this.statusMentions.push({ id, uid, text, at: this.now() });
    this.citizen(uid).mentionReplies = 1;
    return id.toString();
  }

  /** A comment by `uid` under post `statusId` that @mentions the account; returns the comment's id. */
  addCommentMention(uid: string, text: string, statusId: string): string {
    const id = ++this.mentionSeq;
    this.commentMentions.push({ id, uid, text, at: this.now(), statusId: BigInt(statusId) });
    this.citizen(uid).mentionReplies = 1;
    return id.toString();
  }

  /** What a push the platform sent tells it about the citizen's reply window. */
  observe(push: { type: string; sender_id: string | number; data?: Record<string, unknown> }): void {
    const state = this.citizen(String(push.sender_id));
    const subtype = String(push.data?.subtype ?? '');
    if (push.type === 'event' && ['unfollow', 'unsubscribe'].includes(subtype)) {
      state.unfollowed = true;
      state.windowUntil = undefined;
    } else if (push.type === 'mention') {
      state.mentionReplies = 1;
    } else if (push.type !== 'event' || ['follow', 'subscribe', 'scan', 'scan_follow', 'click', 'view'].includes(subtype)) {
      state.unfollowed = false;
      state.windowUntil = this.now() + 48 * HOUR;
    }
  }

  private citizen(uid: string): CitizenState {
    let state = this.citizens.get(uid);
    if (!state) this.citizens.set(uid, (state = { mentionReplies: 0, unfollowed: false }));
    return state;
  }

  private error(code: number, error: string, request: string): Answer {
    return { status: 400, json: { error, error_code: code, request } };
  }

  private failure(api: Api, request: string): Answer | undefined {
    const i = this.failures.findIndex((f) => f.api === api);
    if (i < 0) return undefined;
    const f = this.failures.splice(i, 1)[0];
    return this.error(f.code, f.error, request);
  }

  private handle(method: string, u: URL, body: string): Answer {
    const form = new URLSearchParams(body);
    const token = u.searchParams.get('access_token') ?? form.get('access_token');
    if (token !== this.accessToken) return this.error(21332, 'invalid_access_token', u.pathname);
    if (method === 'GET') return this.read(u);
    if (method !== 'POST') return this.error(10021, 'HTTP method is not suported for this request', u.pathname);
    const api: Api | undefined =
      u.pathname === '/2/messages/reply.json' ? 'reply' : ['/2/comments/reply.json', '/2/comments/create.json'].includes(u.pathname) ? 'comment' : undefined;
    if (!api) return this.error(10014, 'unknown api', u.pathname);
    const failed = this.failure(api, u.pathname);
    if (failed) return failed;
    const id = (4000000000000000000n + this.seq++).toString();
    return api === 'reply' ? this.reply(form, id, u.pathname) : this.comment(form, id, u.pathname);
  }

  private read(u: URL): Answer {
    const path = u.pathname;
    if (path === '/2/mss/msget') {
      const fid = u.searchParams.get('fid') ?? '';
      this.mediaRequests.push(fid);
      const failed = this.failure('msget', path);
      if (failed) return failed;
      const file = this.media.get(fid);
      return file ? { bytes: file.bytes, contentType: file.contentType } : this.error(21601, 'file not found', path);
    }
    const source = path === '/2/statuses/mentions.json' ? 'status' : path === '/2/comments/mentions.json' ? 'comment' : undefined;
    if (!source) return this.error(10014, 'unknown api', path);
    const failed = this.failure('mentions', path);
    if (failed) return failed;
    this.mentionReads[source]++;
    this.sinceIds[source].push(u.searchParams.get('since_id') ?? '');
    const count = Number(u.searchParams.get('count') ?? 20);
    const page = Number(u.searchParams.get('page') ?? 1);
    if (!(count >= 1 && count <= 200) || !(page >= 1)) return this.error(10008, 'param error: count', path);
    const since = BigInt(u.searchParams.get('since_id') ?? '0');
    const list = (source === 'status' ? this.statusMentions : this.commentMentions)
      .filter((m) => m.id > since)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice((page - 1) * count, page * count);
    const items = list.map((m) => this.render(m)).join(',');
    return { raw: source === 'status' ? `{"statuses":[${items}],"total_number":${list.length}}` : `{"comments":[${items}],"total_number":${list.length}}` };
  }

  /** Ids as bare numbers above 2^53, as the platform sends them, with their `idstr`. */
  private render(m: Mention): string {
    const user = `"user":{"id":${m.uid},"idstr":"${m.uid}","screen_name":"市民${m.uid.slice(-4)}"}`;
    const base = `"id":${m.id},"idstr":"${m.id}","mid":"${m.id}","created_at":"${weiboDate(m.at)}","text":${JSON.stringify(m.text)},${user}`;
    if (m.statusId === undefined) return `{${base}}`;
    return `{${base},"status":{"id":${m.statusId},"idstr":"${m.statusId}","text":"原微博"}}`;
  }

  private reply(form: URLSearchParams, id: string, request: string): Answer {
    const receiverId = form.get('receiver_id');
    const data = form.get('data');
    if (!receiverId || form.get('type') !== 'text' || !data) return this.error(10008, 'param error', request);
    let text: unknown;
    try {
      text = (JSON.parse(decodeURIComponent(data)) as { text?: unknown }).text;
    } catch {
      return this.error(10008, 'param error: data', request);
    }
    if (typeof text !== 'string' || [...text].length >= 300) return this.error(10008, 'param error: text', request);
    if (this.enforceWindows) {
      const state = this.citizen(receiverId);
      if (state.unfollowed) return this.error(21606, 'user has unfollowed', request);
      if (!(state.windowUntil !== undefined && state.windowUntil > this.now())) {
        if (state.mentionReplies < 1) return this.error(21605, 'reply window closed', request);
        state.mentionReplies--;
      }
    }
    this.replies.push({ receiverId, type: 'text', text, saveSenderBox: form.get('save_sender_box') ?? '', receivedAt: performance.now() });
    return { raw: `{"id":${id},"idstr":"${id}","result":true}` };
  }

  private comment(form: URLSearchParams, id: string, request: string): Answer {
    const statusId = form.get('id');
    const comment = form.get('comment');
    const commentId = form.get('cid') ?? undefined;
    if (!statusId || !comment || (request.endsWith('reply.json') && !commentId)) return this.error(10008, 'param error', request);
    if ([...comment].length > 140) return this.error(20019, 'text too long', request);
    this.comments.push({ statusId, commentId, comment, receivedAt: performance.now() });
    return { raw: `{"id":${id},"idstr":"${id}","text":${JSON.stringify(comment)}}` };
  }
}
