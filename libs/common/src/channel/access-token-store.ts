import type { DataSource } from 'typeorm';

export interface FetchedToken {
  token: string;
  expiresInSec: number;
}

/** The one table every service reads vendor access tokens from (created by `SharedAccessTokens…` migration). */
export const SHARED_TOKEN_SCHEMA = 'wz_shared';
export const SHARED_TOKEN_TABLE = `${SHARED_TOKEN_SCHEMA}.access_tokens`;

export interface AccessTokenStoreOptions {
  /** Refresh this long before the vendor's expiry, so no call races the expiry. */
  marginSec?: number;
  /** A short in-process copy saves a query per call; keep it far below `marginSec`. 0: none. */
  memoMs?: number;
}

/**
 * Vendor access tokens shared by every instance of every service (WeChat: fetching a new token invalidates
 * the old one after about 5 minutes, so exactly one place may refresh it — wechat.md, access_token). The
 * token lives in one PostgreSQL table outside the services' own schemas; a refresh runs under a
 * transaction-scoped advisory lock per (vendor, account) and re-reads after taking it, so the instances
 * that waited use the token the winner stored. A caller that sees the token rejected drops exactly that
 * token (`invalidate`), so several callers that saw the same stale token cause one refresh, not several.
 */
export class AccessTokenStore {
  private readonly memo = new Map<string, { token: string; until: number }>();
  private readonly loading = new Map<string, Promise<string>>();
  private readonly marginSec: number;
  private readonly memoMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vendor: string,
    options: AccessTokenStoreOptions = {},
  ) {
    this.marginSec = options.marginSec ?? 300;
    this.memoMs = options.memoMs ?? 0;
  }

  async get(account: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const memo = this.memo.get(account);
    if (memo && memo.until > Date.now()) return memo.token;
    // Callers of one instance share one load, so a refresh holds one pooled connection, not one per caller.
    let loading = this.loading.get(account);
    if (!loading) {
      loading = this.load(account, fetch).finally(() => this.loading.delete(account));
      this.loading.set(account, loading);
    }
    const token = await loading;
    if (this.memoMs > 0) this.memo.set(account, { token, until: Date.now() + this.memoMs });
    return token;
  }

  /** Drops the token the vendor refused (40001/40014/42001), unless another caller already replaced it. */
  async invalidate(account: string, token: string): Promise<void> {
    if (this.memo.get(account)?.token === token) this.memo.delete(account);
    await this.dataSource.query(`DELETE FROM ${SHARED_TOKEN_TABLE} WHERE vendor = $1 AND account = $2 AND token = $3`, [
      this.vendor,
      account,
      token,
    ]);
  }

  /**
   * `call` with the account's token; when `rejected(error)` says the vendor refused the token, the token is
   * dropped, fetched once more and the call repeated once (wechat.md).
   */
  async withToken<T>(account: string, fetch: () => Promise<FetchedToken>, call: (token: string) => Promise<T>, rejected: (error: unknown) => boolean): Promise<T> {
    const token = await this.get(account, fetch);
    try {
      return await call(token);
    } catch (error) {
      if (!rejected(error)) throw error;
      await this.invalidate(account, token);
      return call(await this.get(account, fetch));
    }
  }

  private async load(account: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const cached = await this.read(this.dataSource, account);
    if (cached) return cached;
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wz.token.${this.vendor}.${account}`]);
      const fresh = await this.read(m, account);
      if (fresh) return fresh;
      const { token, expiresInSec } = await fetch();
      await m.query(
        `INSERT INTO ${SHARED_TOKEN_TABLE} (vendor, account, token, expires_at, fetched_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4), now())
         ON CONFLICT (vendor, account) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at, fetched_at = now()`,
        [this.vendor, account, token, Math.max(this.marginSec + 60, expiresInSec)],
      );
      return token;
    });
  }

  private async read(q: Pick<DataSource, 'query'>, account: string): Promise<string | undefined> {
    const [row] = await q.query(
      `SELECT token FROM ${SHARED_TOKEN_TABLE} WHERE vendor = $1 AND account = $2 AND expires_at > now() + make_interval(secs => $3)`,
      [this.vendor, account, this.marginSec],
    );
    return row?.token;
  }
}
