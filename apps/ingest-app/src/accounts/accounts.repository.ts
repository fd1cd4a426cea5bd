import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface AccountRow {
  account_id: string;
  password_hash: string;
}

@Injectable()
export class AccountsRepository {
  constructor(private readonly db: DataSource) {}

  /** False when an account with this phone number exists already. */
  async insert(accountId: string, phoneHmac: string, phoneCiphertext: string, passwordHash: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO accounts (account_id, phone_hmac, phone_ciphertext, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (phone_hmac) DO NOTHING RETURNING 1`,
      [accountId, phoneHmac, phoneCiphertext, passwordHash],
    );
    return rows.length > 0;
  }

  async findByPhone(phoneHmac: string): Promise<AccountRow | undefined> {
    const [row] = await this.db.query('SELECT account_id, password_hash FROM accounts WHERE phone_hmac = $1', [phoneHmac]);
    return row as AccountRow | undefined;
  }

  async insertRefreshToken(tokenHash: string, accountId: string, expiresAt: Date): Promise<void> {
    await this.db.query('INSERT INTO refresh_tokens (token_hash, account_id, expires_at) VALUES ($1, $2, $3)', [tokenHash, accountId, expiresAt]);
  }

  /** Revokes a live refresh token and returns its account; undefined when unknown, expired or revoked. */
  async revokeRefreshToken(tokenHash: string): Promise<string | undefined> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [[row]] = await this.db.query(
      `UPDATE refresh_tokens SET revoked_at = now()
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING account_id`,
      [tokenHash],
    );
    return (row as { account_id: string } | undefined)?.account_id;
  }
}
