import { WechatAccessTokens, WechatTokenError } from '@app/common/channel/wechat-access-token.js';
import type { DownloadedMedia, MediaSource } from '@app/common/channel/channel-media.worker.js';
import type { WechatAccount } from '../config.js';

/** A WeChat API failure: `errcode` from the JSON body, or a local code (-2 network, -3 bad answer). */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super(`WeChat API ${errcode}: ${message}`);
    this.name = 'WechatApiError';
  }
}

/** Codes worth retrying later; everything else will fail the same way again (e.g. 40007 media id expired). */
const TRANSIENT_CODES = new Set([-1, -2, -3, 45009, 45011, 40001, 40014, 42001]);

export const isTransient = (error: unknown): boolean =>
  !(error instanceof WechatApiError) || TRANSIENT_CODES.has(error.errcode);

/** The calls this app makes to the WeChat API (base URL from configuration; tests point it at the stand-in). */
export class WechatApiClient implements MediaSource {
  private readonly accounts: Map<string, WechatAccount>;

  constructor(
    private readonly base: string,
    accounts: WechatAccount[],
    private readonly tokens: WechatAccessTokens,
    private readonly maxBytes: number,
    private readonly timeoutMs = 15000,
  ) {
    this.accounts = new Map(accounts.map((a) => [a.appId, a]));
  }

  isTransient(error: unknown): boolean {
    return isTransient(error);
  }

  async downloadMedia(appId: string, mediaId: string): Promise<DownloadedMedia> {
    return this.withToken(appId, async (token) => {
      const url = this.url('/cgi-bin/media/get', { access_token: token, media_id: mediaId });
      const res = await this.fetch(url);
      const type = res.headers.get('content-type') ?? '';
      // Failure is JSON, success is the file: look at the content type first (reference).
      if (/json|text\/plain/i.test(type)) {
        const body = (await res.json().catch(() => ({}))) as { errcode?: number; errmsg?: string; video_url?: string };
        if (body.video_url) return this.readBytes(await this.fetch(body.video_url), 'video/mp4');
        throw new WechatApiError(body.errcode ?? -3, body.errmsg ?? 'unexpected JSON answer');
      }
      return this.readBytes(res, type);
    });
  }

  /** The token comes from the store shared with the notifier; a refused one is dropped, fetched once more, the call retried once. */
  private async withToken<T>(appId: string, call: (token: string) => Promise<T>): Promise<T> {
    const account = this.accounts.get(appId);
    if (!account) throw new WechatApiError(-3, 'unknown account');
    try {
      return await this.tokens.withToken(account, call, (error) => (error instanceof WechatApiError ? error.errcode : undefined));
    } catch (error) {
      if (error instanceof WechatTokenError) throw new WechatApiError(error.errcode, error.message);
      throw error;
    }
  }

  private url(path: string, params: Record<string, string>): string {
    const url = new URL(path.replace(/^\//, ''), this.base.endsWith('/') ? this.base : `${this.base}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  private async fetch(url: string): Promise<Response> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) throw new WechatApiError(-2, `HTTP ${res.status}`);
      return res;
    } catch (error) {
      if (error instanceof WechatApiError) throw error;
      throw new WechatApiError(-2, (error as Error).message);
    }
  }

  private async readBytes(res: Response, contentType: string): Promise<DownloadedMedia> {
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > this.maxBytes) throw new WechatApiError(-4, 'media too large');
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > this.maxBytes) throw new WechatApiError(-4, 'media too large');
    return { bytes, contentType: contentType || 'application/octet-stream' };
  }
}
