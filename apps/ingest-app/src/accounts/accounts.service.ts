import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { hash, verify } from '@node-rs/argon2';
import { newId } from '@app/common';
import { CodedError } from '@app/common/http/coded-error.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import type { TokensDto } from './accounts.dto.js';
import { AccountsRepository } from './accounts.repository.js';
import { PhoneProtector } from './phone-protector.js';

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Accounts by mobile number and password; short-lived JWT access tokens, rotating opaque refresh tokens. */
@Injectable()
export class AccountsService {
  private readonly phones: PhoneProtector;
  // Verifying against a real hash when the phone is unknown keeps the answer time the same either way.
  private readonly decoyHash = hash('decoy password for timing', { memoryCost: 19456, timeCost: 2 });

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly jwt: JwtService,
    @Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig,
  ) {
    this.phones = new PhoneProtector(config.env.PHONE_HMAC_KEY, config.env.PHONE_ENCRYPTION_KEY);
  }

  async register(phoneInput: string, password: string): Promise<TokensDto> {
    const phone = this.normalize(phoneInput);
    const accountId = newId();
    const passwordHash = await hash(password, { memoryCost: 19456, timeCost: 2 });
    const inserted = await this.accounts.insert(accountId, this.phones.lookupHash(phone), this.phones.encrypt(phone), passwordHash);
    if (!inserted) throw new CodedError('conflict', 'account.exists', '该手机号已注册，请直接登录。');
    return this.issue(accountId);
  }

  async login(phoneInput: string, password: string): Promise<TokensDto> {
    const phone = this.normalize(phoneInput);
    const account = await this.accounts.findByPhone(this.phones.lookupHash(phone));
    const ok = await verify(account?.password_hash ?? (await this.decoyHash), password).catch(() => false);
    if (!account || !ok) throw new CodedError('unauthenticated', 'auth.bad_credentials', '手机号或密码不正确。');
    return this.issue(account.account_id);
  }

  /** Exchanges a refresh token for new tokens; the old one stops working (rotation). */
  async refresh(refreshToken: string): Promise<TokensDto> {
    const accountId = await this.accounts.revokeRefreshToken(sha256(refreshToken));
    if (!accountId) throw new CodedError('unauthenticated', 'auth.refresh_invalid', '刷新令牌无效、已过期或已退出登录，请重新登录。');
    return this.issue(accountId);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.accounts.revokeRefreshToken(sha256(refreshToken));
  }

  private normalize(input: string): string {
    const phone = PhoneProtector.normalize(input);
    if (!phone) throw new CodedError('invalid', 'account.bad_phone', '请填写正确的中国大陆手机号。');
    return phone;
  }

  private async issue(accountId: string): Promise<TokensDto> {
    const expiresIn = this.config.env.JWT_ACCESS_TTL_SECONDS;
    const accessToken = await this.jwt.signAsync({ sub: accountId, typ: 'access' }, { expiresIn });
    const refreshToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.env.REFRESH_TTL_DAYS * 86400_000);
    await this.accounts.insertRefreshToken(sha256(refreshToken), accountId, expiresAt);
    return { accountId, accessToken, expiresIn, refreshToken };
  }
}
