import type { DownloadedMedia, MediaSource } from '@app/common/channel/channel-media.worker.js';
import type { WeiboAccount } from '../config.js';
import { parseWeiboJson } from '../push/weibo-json.js';

/** A Weibo API failure: `error_code` from `{"error","error_code","request"}`, or a local code (-2 network, -3 bad answer, -4 too large). */
export class WeiboApiError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(`Weibo API ${errorCode}: ${message}`);
    this.name = 'WeiboApiError';
  }
}

/**
 * Worth retrying later: network and system errors, rate limits, and the token codes (21327 expired,
 * 21332 invalid) — the account's token is configuration, so a retry after it is renewed can still succeed.
 */
const TRANSIENT_CODES = new Set([-2, -3, 10001, 10009, 10022, 10023, 10024, 21327, 21332]);
export const isTransient = (error: unknown): boolean => !(error instanceof WeiboApiError) || TRANSIENT_CODES.has(error.errorCode);

/** A post or comment that names the account, as the poller needs it (vendor fields stop here). */
export interface PolledMention {
  source: 'status' | 'comment';
  id: string;
  statusId: string;
  commentId?: string;
  userId: string;
  text: string;
  createdAt: string;
}

interface WeiboUser {
  id?: number | string;
  idstr?: string;
}
interface WeiboStatus {
  id?: number | string;
  idstr?: string;
  text?: string;
  created_at?: string;
  user?: WeiboUser;
}
interface WeiboComment extends WeiboStatus {
  status?: WeiboStatus;
}

const idOf = (o: { id?: number | string; idstr?: string } | undefined): string => String(o?.idstr ?? o?.id ?? '');

/** The calls this app makes to the Weibo API (base URLs from configuration; tests point them at the stand-in). */
export class WeiboApiClient implements MediaSource {
  private readonly accounts: Map<string, WeiboAccount>;

  constructor(
    private readonly apiBase: string,
    private readonly uploadBase: string,
    accounts: WeiboAccount[],
    private readonly maxBytes: number,
    private readonly timeoutMs = 15000,
  ) {
    this.accounts = new Map(accounts.map((a) => [a.uid, a]));
  }

  isTransient(error: unknown): boolean {
    return isTransient(error);
  }

  /** `GET 2/mss/msget?access_token&fid` with the receiver's file id (`tovfid`): the file, or a JSON error. */
  async downloadMedia(uid: string, fid: string): Promise<DownloadedMedia> {
    const res = await this.fetch(this.url(this.uploadBase, '/2/mss/msget', { access_token: this.token(uid), fid }));
    const type = res.headers.get('content-type') ?? '';
    if (/json/i.test(type)) throw await this.errorOf(res);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > this.maxBytes) throw new WeiboApiError(-4, 'media too large');
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > this.maxBytes) throw new WeiboApiError(-4, 'media too large');
    return { bytes, contentType: type || 'application/octet-stream' };
  }

  /** Posts (`statuses/mentions`) or comments (`comments/mentions`) naming the account after `sinceId`, newest first. */
  async mentions(uid: string, source: 'status' | 'comment', sinceId: string, count: number, page: number): Promise<PolledMention[]> {
    const path = source === 'status' ? '/2/statuses/mentions.json' : '/2/comments/mentions.json';
    const params: Record<string, string> = { access_token: this.token(uid), count: String(count), page: String(page) };
    if (sinceId !== '0') params.since_id = sinceId;
    const res = await this.fetch(this.url(this.apiBase, path, params));
    const body = (await this.json(res)) as { statuses?: WeiboStatus[]; comments?: WeiboComment[] };
    if (source === 'status') {
      return (body.statuses ?? []).map((s) => ({ source, id: idOf(s), statusId: idOf(s), userId: idOf(s.user), text: s.text ?? '', createdAt: s.created_at ?? '' }));
    }
    return (body.comments ?? []).map((c) => ({
      source,
      id: idOf(c),
      statusId: idOf(c.status),
      commentId: idOf(c),
      userId: idOf(c.user),
      text: c.text ?? '',
      createdAt: c.created_at ?? '',
    }));
  }

  private token(uid: string): string {
    const account = this.accounts.get(uid);
    if (!account) throw new WeiboApiError(-3, 'unknown account');
    return account.accessToken;
  }

  private url(base: string, path: string, params: Record<string, string>): string {
    const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Errors come as HTTP 4xx/5xx with `{"error","error_code","request"}` (reference). */
  private async fetch(url: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new WeiboApiError(-2, (error as Error).message);
    }
    if (!res.ok) throw await this.errorOf(res);
    return res;
  }

  private async json(res: Response): Promise<unknown> {
    try {
      return parseWeiboJson(await res.text());
    } catch {
      throw new WeiboApiError(-3, 'answer is not JSON');
    }
  }

  private async errorOf(res: Response): Promise<WeiboApiError> {
    const body = (await this.json(res).catch(() => ({}))) as { error?: string; error_code?: number | string };
    const code = Number(body.error_code);
    return new WeiboApiError(Number.isFinite(code) && body.error_code !== undefined ? code : res.ok ? -3 : -2, body.error ?? `HTTP ${res.status}`);
  }
}
