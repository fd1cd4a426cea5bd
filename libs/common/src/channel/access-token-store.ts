import type { DataSource } from 'typeorm';

export interface FetchedToken {
  token: string;
  expiresInSec: number;
}

/** The table a store keeps its tokens in; `accessTokenTableSql` creates it (in a migration of the app). */
export const accessTokenTableSql = (table: string): string => `
  CREATE TABLE ${table} (
    account    text PRIMARY KEY,
    token      text NOT NULL,
    expires_at timestamptz NOT NULL,
    fetched_at timestamptz NOT NULL DEFAULT now()
  )`;

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/**
 * Vendor access tokens shared by every instance (WeChat: fetching a new token invalidates the old one after
 * about 5 minutes, so exactly one place may refresh it). The token lives in PostgreSQL; a refresh runs
 * under a transaction-scoped advisory lock per account, re-reads after taking it, and is done `marginSec`
 * before expiry. A caller that sees the token rejected drops exactly that token (`invalidate`), so two
 * callers that both saw a stale token cause one refresh, not two.
 */
export class AccessTokenStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly table: string,
    private readonly marginSec = 300,
  ) {
    if (!TABLE_NAME.test(table)) throw new Error(`invalid token table name: ${table}`);
  }

  async get(account: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const cached = await this.read(this.dataSource, account);
    if (cached) return cached;
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wz.token.${this.table}.${account}`]);
      const fresh = await this.read(m, account);
      if (fresh) return fresh;
      const { token, expiresInSec } = await fetch();
      await m.query(
        `INSERT INTO ${this.table} (account, token, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (account) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, fetched_at = now()`,
        [account, token, expiresInSec],
      );
      return token;
    });
  }

  async invalidate(account: string, token: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${this.table} WHERE account = $1 AND token = $2`, [account, token]);
  }

  private async read(q: Pick<DataSource, 'query'>, account: string): Promise<string | undefined> {
    const [row] = await q.query(
      `SELECT token FROM ${this.table} WHERE account = $1 AND expires_at > now() + make_interval(secs => $2)`,
      [account, this.marginSec],
    );
    return row?.token;
  }
}
