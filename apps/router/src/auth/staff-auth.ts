import {
  createParamDecorator,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { hashApiKey } from './api-key.js';
import { StaffAccountsRepository } from './staff-accounts.repository.js';

export const STAFF_ROLES = ['desk', 'unit', 'supervisor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The claims of a staff bearer token (HS256, signed with ROUTER_JWT_SECRET). */
const claimsSchema = z
  .object({
    sub: z.string().min(1).max(100),
    role: z.enum(STAFF_ROLES),
    /** A unit agent sees only its own unit's cases. */
    unitId: z.string().max(64).optional(),
  })
  .refine((c) => c.role !== 'unit' || !!c.unitId, 'a unit agent token names its unit');
export type StaffUser = z.infer<typeof claimsSchema>;

const ROLES_KEY = 'wz:roles';
/** Which roles may call a handler; a route without it is closed to everyone (the guard fails closed). */
export const Roles = (...roles: StaffRole[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext): StaffUser => {
  return context.switchToHttp().getRequest<Request & { staff: StaffUser }>().staff;
});

@Injectable()
export class StaffGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    private readonly accounts: StaffAccountsRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { staff?: StaffUser }>();
    const allowed = this.reflector.getAllAndOverride<StaffRole[]>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) {
      // A unit's system: the key stands for role `unit` of that unit, nothing more.
      const unitId = await this.accounts.unitByKeyHash(this.dataSource.manager, hashApiKey(apiKey));
      if (!unitId) throw new UnauthorizedException('API 密钥无效或已吊销');
      if (!allowed?.includes('unit')) throw new ForbiddenException('无权执行此操作');
      request.staff = { sub: `apikey:${unitId}`, role: 'unit', unitId };
      return true;
    }
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw new UnauthorizedException('需要登录（Bearer 令牌或 X-Api-Key）');
    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync(token, { algorithms: ['HS256'] });
    } catch {
      throw new UnauthorizedException('令牌无效或已过期');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthorizedException('令牌内容无效');
    // A disabled account loses access at once, not when its 12-hour token expires.
    if (!(await this.accounts.isActive(this.dataSource.manager, claims.data.sub))) throw new UnauthorizedException('账号已停用');
    if (!allowed?.includes(claims.data.role)) throw new ForbiddenException('无权执行此操作');
    request.staff = claims.data;
    return true;
  }
}
