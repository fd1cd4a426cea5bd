import type { DataSource } from 'typeorm';
import { vendorFetch, VendorError } from './sender.js';

export interface WechatCredentials {
  apiBase: string;
  appId: string;
  appSecret: string;
  timeoutMs: number;
}

/** Refresh this long before the vendor's expiry, so no send races the expiry. */
const EARLY_REFRESH_SECONDS = 300;
/** Far below the early refresh, so an instance never uses a token past the point another would refresh it. */
const MEMO_MS = 30_000;

/**
 * The access_token shared by every notifier instance. Fetching a new token invalidates the old one within
 * about 5 minutes (wechat.md), so exactly one refresher may run: a transaction-scoped advisory lock, and the
 * row is re-read under the lock so waiters use the token the winner stored instead of fetching again.
 */
export class WechatTokenStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: WechatCredentials,
  ) {}

  /** A short in-process copy saves a query per send; a token refused by the vendor is dropped from it too. */
  private memo?: { token: string; until: number };

  async get(): Promise<string> {
    if (this.memo && this.memo.until > Date.now()) return this.memo.token;
    const token = await this.load();
    this.memo = { token, until: Date.now() + MEMO_MS };
    return token;
  }

  private async load(): Promise<string> {
    const cached = await this.read(this.dataSource);
    if (cached) return cached;
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wz.wechat-token.${this.credentials.appId}`]);
      const fresh = await this.read(manager);
      if (fresh) return fresh;
      const { token, expiresIn } = await this.fetchToken();
      await manager.query(
        `INSERT INTO wechat_tokens (app_id, access_token, expires_at, refreshed_at)
         VALUES ($1, $2, now() + make_interval(secs => $3), now())
         ON CONFLICT (app_id) DO UPDATE SET access_token = EXCLUDED.access_token, expires_at = EXCLUDED.expires_at,
                                            refreshed_at = now()`,
        [this.credentials.appId, token, expiresIn],
      );
      return token;
    });
  }

  /** Drops the token the vendor refused (40001/40014/42001), unless another instance already replaced it. */
  async invalidate(token: string | undefined): Promise<void> {
    if (!token) return;
    if (this.memo?.token === token) this.memo = undefined;
    await this.dataSource.query(`UPDATE wechat_tokens SET expires_at = now() WHERE app_id = $1 AND access_token = $2`, [
      this.credentials.appId,
      token,
    ]);
  }

  private async read(runner: Pick<DataSource, 'query'>): Promise<string | undefined> {
    const rows: { access_token: string }[] = await runner.query(
      `SELECT access_token FROM wechat_tokens WHERE app_id = $1 AND expires_at > now() + make_interval(secs => $2)`,
      [this.credentials.appId, EARLY_REFRESH_SECONDS],
    );
    return rows[0]?.access_token;
  }

  private async fetchToken(): Promise<{ token: string; expiresIn: number }> {
    const { apiBase, appId, appSecret, timeoutMs } = this.credentials;
    const url = `${apiBase}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(appSecret)}`;
    const response = await vendorFetch('wechat', url, { method: 'GET' }, timeoutMs);
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
    if (!body.access_token) {
      throw new VendorError('wechat', String(body.errcode ?? `http_${response.status}`), `token: ${body.errmsg ?? 'no access_token'}`);
    }
    return { token: body.access_token, expiresIn: Math.max(EARLY_REFRESH_SECONDS + 60, body.expires_in ?? 7200) };
  }
}
