import { AccessTokenStore, type FetchedToken } from './access-token-store.js';

/** The token codes after which the token is dropped, fetched once more and the call retried once (wechat.md). */
export const WECHAT_TOKEN_REJECTED = new Set([40001, 40014, 42001]);

/** `cgi-bin/token` failed: the vendor's errcode, or -2 (network, HTTP status) / -3 (no access_token). */
export class WechatTokenError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super(`WeChat token ${errcode}: ${message}`);
    this.name = 'WechatTokenError';
  }
}

export interface WechatAccountCredentials {
  appId: string;
  appSecret: string;
}

/** One `GET cgi-bin/token` (wechat.md, access_token). Only the shared store calls it, under its lock. */
export async function fetchWechatToken(apiBase: string, account: WechatAccountCredentials, timeoutMs: number): Promise<FetchedToken> {
  const url = new URL('cgi-bin/token', apiBase.endsWith('/') ? apiBase : `${apiBase}/`);
  url.searchParams.set('grant_type', 'client_credential');
  url.searchParams.set('appid', account.appId);
  url.searchParams.set('secret', account.appSecret);
  let body: { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new WechatTokenError(-2, `HTTP ${response.status}`);
    body = (await response.json()) as typeof body;
  } catch (error) {
    if (error instanceof WechatTokenError) throw error;
    throw new WechatTokenError(-2, (error as Error).message);
  }
  if (!body.access_token) throw new WechatTokenError(body.errcode ?? -3, body.errmsg ?? 'no access_token');
  return { token: body.access_token, expiresInSec: body.expires_in ?? 7200 };
}

/** The WeChat access tokens of every service, from the shared store: one refresher per AppID across all instances. */
export class WechatAccessTokens {
  constructor(
    private readonly store: AccessTokenStore,
    private readonly apiBase: string,
    private readonly timeoutMs = 15000,
  ) {}

  get(account: WechatAccountCredentials): Promise<string> {
    return this.store.get(account.appId, () => fetchWechatToken(this.apiBase, account, this.timeoutMs));
  }

  async invalidate(appId: string, token: string | undefined): Promise<void> {
    if (token) await this.store.invalidate(appId, token);
  }

  /** `call` with the token; on a token code (`errcodeOf`) the token is dropped, fetched once more, the call retried once. */
  withToken<T>(account: WechatAccountCredentials, call: (token: string) => Promise<T>, errcodeOf: (error: unknown) => number | undefined): Promise<T> {
    return this.store.withToken(
      account.appId,
      () => fetchWechatToken(this.apiBase, account, this.timeoutMs),
      call,
      (error) => WECHAT_TOKEN_REJECTED.has(errcodeOf(error) ?? 0),
    );
  }
}
