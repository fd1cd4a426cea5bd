import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectLogger, InjectPlatformConfig } from '@app/common';
import { hash, verify } from '@node-rs/argon2';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { RouterError } from '../common/router-error.js';
import type { RouterConfig } from '../config.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { hashApiKey, newApiKey } from './api-key.js';
import type { CreateStaffDto, UpdateStaffDto } from './staff-accounts.dto.js';
import { StaffAccountsRepository } from './staff-accounts.repository.js';

const TOKEN_TTL_SECONDS = 12 * 3600;
/** Online password guessing: 5 wrong passwords in a row lock the account for 15 minutes (across instances). */
const MAX_FAILURES = 5;
const LOCK_MINUTES = 15;
/** Verified against when the user does not exist, so a wrong name costs as much time as a wrong password. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0n0zAG4Fyr8t0y4uK1U+Yw6VvGJqTt8t3pM6qJm9yMc';


/** Staff logins (argon2id password hashes, JWT) and the units' API keys (sha-256, shown once). */
@Injectable()
export class StaffAccountsService implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: StaffAccountsRepository,
    private readonly registry: RegistryRepository,
    private readonly jwt: JwtService,
    @InjectPlatformConfig() private readonly config: RouterConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ROUTER_ADMIN_USERNAME: username, ROUTER_ADMIN_PASSWORD: password } = this.config.env;
    if (!username || !password) return;
    const created = await this.accounts.insert(this.dataSource.manager, {
      username,
      passwordHash: await hash(password),
      role: 'admin',
      unitId: null,
      displayName: '系统管理员',
      active: true,
    });
    if (created) this.logger.info({ username }, 'bootstrap administrator created');
  }

  async login(username: string, password: string): Promise<{ token: string; role: string; unitId?: string; username: string; expiresIn: number }> {
    const manager = this.dataSource.manager;
    const account = await this.accounts.find(manager, username);
    if (account?.lockedUntil && new Date(account.lockedUntil) > new Date()) {
      throw new RouterError('too_many_attempts', `密码错误次数过多，账号已临时锁定 ${LOCK_MINUTES} 分钟`);
    }
    const ok = await verify(account?.passwordHash ?? DUMMY_HASH, password).catch(() => false);
    if (account && !ok) await this.accounts.recordFailure(manager, username, MAX_FAILURES, LOCK_MINUTES);
    if (!account || !ok || !account.active) throw new RouterError('invalid_credentials', '用户名或密码错误，或账号已停用');
    await this.accounts.recordSuccess(manager, username);
    const claims = { sub: account.username, role: account.role, ...(account.unitId ? { unitId: account.unitId } : {}) };
    const token = await this.jwt.signAsync(claims, { expiresIn: TOKEN_TTL_SECONDS });
    return { token, role: account.role, username: account.username, expiresIn: TOKEN_TTL_SECONDS, ...(account.unitId ? { unitId: account.unitId } : {}) };
  }

  async create(dto: CreateStaffDto): Promise<{ username: string; role: string; unitId: string | null }> {
    if (dto.unitId && !(await this.registry.getUnit(this.dataSource.manager, dto.unitId))) {
      throw new RouterError('unit_not_found', `单位 ${dto.unitId} 不存在`);
    }
    const created = await this.accounts.insert(this.dataSource.manager, {
      username: dto.username,
      passwordHash: await hash(dto.password),
      role: dto.role,
      unitId: dto.role === 'unit' ? (dto.unitId ?? null) : null,
      displayName: dto.displayName ?? null,
      active: true,
    });
    if (!created) throw new RouterError('staff_exists', `账号 ${dto.username} 已存在`);
    return { username: dto.username, role: dto.role, unitId: dto.role === 'unit' ? (dto.unitId ?? null) : null };
  }

  list() {
    return this.accounts.list(this.dataSource.manager);
  }

  async update(username: string, dto: UpdateStaffDto): Promise<void> {
    const passwordHash = dto.password ? await hash(dto.password) : undefined;
    if (!(await this.accounts.update(this.dataSource.manager, username, { passwordHash, active: dto.active }))) {
      throw new RouterError('staff_not_found', `账号 ${username} 不存在`);
    }
  }

  /** A new key replaces the old one at once (rotation); the key itself is returned once and never stored. */
  async rotateApiKey(unitId: string, actor: string): Promise<{ apiKey: string }> {
    const apiKey = newApiKey();
    await this.setKey(unitId, hashApiKey(apiKey), actor, 'api_key_rotated');
    return { apiKey };
  }

  async revokeApiKey(unitId: string, actor: string): Promise<void> {
    await this.setKey(unitId, null, actor, 'api_key_revoked');
  }

  private async setKey(unitId: string, keyHash: string | null, actor: string, action: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.accounts.setKeyHash(manager, unitId, keyHash))) throw new RouterError('unit_not_found', `单位 ${unitId} 不存在`);
      await this.registry.recordHistory(manager, unitId, action, actor);
    });
  }
}
