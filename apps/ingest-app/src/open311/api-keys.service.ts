import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import { CodedError } from '@app/common/http/coded-error.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import { ApiKeysRepository, type ApiKeyRow } from './api-keys.repository.js';
import { Open311Error } from './open311.format.js';

export interface IssuedKey {
  keyId: string;
  name: string;
  ratePerMinute: number;
  /** Shown once, at issue; only its hash is kept. */
  apiKey: string;
}

export interface ApiKeyInfo {
  keyId: string;
  name: string;
  ratePerMinute: number;
  createdAt: string;
  revokedAt?: string;
}

export interface ActiveKey {
  keyId: string;
  ratePerMinute: number;
}

const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * API keys of Open311 client applications: issued by an administrator, 256 random bits, stored as a SHA-256,
 * revocable, each with a POST rate (fixed one-minute window per key, counted in this process).
 */
@Injectable()
export class ApiKeysService {
  private readonly windows = new Map<string, { started: number; count: number }>();

  constructor(
    private readonly repository: ApiKeysRepository,
    @Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig,
  ) {}

  async issue(name: string, ratePerMinute?: number): Promise<IssuedKey> {
    const keyId = newId();
    const apiKey = `o311_${randomBytes(32).toString('base64url')}`;
    const row = await this.repository.insert(keyId, name, hashKey(apiKey), ratePerMinute);
    return { keyId, name: row.name, ratePerMinute: this.rateOf(row), apiKey };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.repository.list()).map((row) => ({
      keyId: row.key_id,
      name: row.name,
      ratePerMinute: this.rateOf(row),
      createdAt: new Date(row.created_at).toISOString(),
      ...(row.revoked_at ? { revokedAt: new Date(row.revoked_at).toISOString() } : {}),
    }));
  }

  async revoke(keyId: string): Promise<void> {
    if (!(await this.repository.revoke(keyId))) throw new CodedError('not_found', 'open311.key_not_found', '找不到此 API key。');
  }

  /** The key of a POST, checked and counted: 403 when missing, unknown or revoked; 429 over its rate. */
  async authorize(apiKey: string | undefined, action: string): Promise<ActiveKey> {
    if (!apiKey) throw Open311Error.forbidden(`缺少 api_key，无法${action}（api_key is missing）`);
    const row = await this.repository.findActive(hashKey(apiKey));
    if (!row) throw Open311Error.forbidden(`api_key 无效或已吊销，无法${action}（invalid api_key）`);
    const key = { keyId: row.key_id, ratePerMinute: this.rateOf(row) };
    this.count(key);
    return key;
  }

  private rateOf(row: Pick<ApiKeyRow, 'rate_per_minute'>): number {
    return row.rate_per_minute ?? this.config.env.OPEN311_RATE_LIMIT_PER_KEY;
  }

  private count(key: ActiveKey): void {
    const now = Date.now();
    let window = this.windows.get(key.keyId);
    if (!window || now - window.started >= 60_000) {
      window = { started: now, count: 0 };
      this.windows.set(key.keyId, window);
    }
    window.count++;
    if (window.count > key.ratePerMinute) {
      const seconds = Math.ceil((window.started + 60_000 - now) / 1000);
      throw new CodedError('rate_limited', 'open311.rate_limited', `此 api_key 每分钟最多提交 ${key.ratePerMinute} 件，请在 ${seconds} 秒后再试（rate limit exceeded）`, {
        retryAfter: seconds,
      });
    }
  }
}
