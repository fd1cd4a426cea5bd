import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { close, listen } from './http-util.js';

/**
 * A loopback stand-in for the Weibo OUTBOUND APIs (../shared/reference/weibo.md, "Outbound"):
 * messages/reply.json (form-encoded, `data` = URL-encoded JSON) and comment replies. Errors come as
 * `{"error","error_code","request"}` with HTTP 400, as the platform answers.
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

type Api = 'reply' | 'comment';

export class WeiboApiStandIn {
  readonly replies: WeiboPrivateReply[] = [];
  readonly comments: WeiboComment[] = [];
  private readonly failures: { api: Api; code: number; error: string }[] = [];
  private seq = 0n;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly accessToken: string,
  ) {}

  static async start(accessToken = 'weibo-stand-in-token'): Promise<WeiboApiStandIn> {
    let self: WeiboApiStandIn | undefined;
    const { server, url } = await listen((req, body, u) => self!.handle(req.method ?? 'GET', u, body));
    self = new WeiboApiStandIn(server, url, accessToken);
    return self;
  }

  failNext(api: Api, code: number, error = 'stand-in failure'): void {
    this.failures.push({ api, code, error });
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private error(code: number, error: string, request: string): { status: number; json: unknown } {
    return { status: 400, json: { error, error_code: code, request } };
  }

  private handle(method: string, u: URL, body: string): { status?: number; json?: unknown; raw?: string } {
    if (method !== 'POST') return this.error(10021, 'HTTP method is not suported for this request', u.pathname);
    const form = new URLSearchParams(body);
    const token = u.searchParams.get('access_token') ?? form.get('access_token');
    if (token !== this.accessToken) return this.error(21332, 'invalid_access_token', u.pathname);
    const api: Api | undefined =
      u.pathname === '/2/messages/reply.json' ? 'reply' : ['/2/comments/reply.json', '/2/comments/create.json'].includes(u.pathname) ? 'comment' : undefined;
    if (!api) return this.error(10014, 'unknown api', u.pathname);
    const i = this.failures.findIndex((f) => f.api === api);
    if (i >= 0) {
      const f = this.failures.splice(i, 1)[0];
      return this.error(f.code, f.error, u.pathname);
    }
    const id = (4000000000000000000n + this.seq++).toString();
    if (api === 'reply') {
      const receiverId = form.get('receiver_id');
      const data = form.get('data');
      if (!receiverId || form.get('type') !== 'text' || !data) return this.error(10008, 'param error', u.pathname);
      let text: unknown;
      try {
        text = (JSON.parse(decodeURIComponent(data)) as { text?: unknown }).text;
      } catch {
        return this.error(10008, 'param error: data', u.pathname);
      }
      if (typeof text !== 'string' || [...text].length >= 300) return this.error(10008, 'param error: text', u.pathname);
      this.replies.push({ receiverId, type: 'text', text, saveSenderBox: form.get('save_sender_box') ?? '', receivedAt: performance.now() });
      return { raw: `{"id":${id},"idstr":"${id}","result":true}` };
    }
    const statusId = form.get('id');
    const comment = form.get('comment');
    const commentId = form.get('cid') ?? undefined;
    if (!statusId || !comment || (u.pathname.endsWith('reply.json') && !commentId)) return this.error(10008, 'param error', u.pathname);
    if ([...comment].length > 140) return this.error(20019, 'text too long', u.pathname);
    this.comments.push({ statusId, commentId, comment, receivedAt: performance.now() });
    return { raw: `{"id":${id},"idstr":"${id}","text":${JSON.stringify(comment)}}` };
  }
}
