import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ApiKeyRow {
  key_id: string;
  name: string;
  rate_per_minute: number | null;
  created_at: Date;
  revoked_at: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: DataSource) {}

  async insert(keyId: string, name: string, keyHash: string, ratePerMinute: number | undefined): Promise<ApiKeyRow> {
    const [row] = await this.db.query(
      `INSERT INTO open311_api_keys (key_id, name, key_hash, rate_per_minute) VALUES ($1, $2, $3, $4)
       RETURNING key_id, name, rate_per_minute, created_at, revoked_at`,
      [keyId, name, keyHash, ratePerMinute ?? null],
    );
    return row as ApiKeyRow;
  }

  async findActive(keyHash: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.db.query(
      'SELECT key_id, name, rate_per_minute, created_at, revoked_at FROM open311_api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [keyHash],
    );
    return row as ApiKeyRow | undefined;
  }

  list(): Promise<ApiKeyRow[]> {
    return this.db.query('SELECT key_id, name, rate_per_minute, created_at, revoked_at FROM open311_api_keys ORDER BY created_at, key_id');
  }

  /** Revokes once; true when the key exists (revoking twice is harmless). */
  async revoke(keyId: string): Promise<boolean> {
    const [, affected] = await this.db.query(
      'UPDATE open311_api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1',
      [keyId],
    );
    return Number(affected) > 0;
  }
}
