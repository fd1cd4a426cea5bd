import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { CodedError } from '@app/common/http/coded-error.js';
import type { Request } from 'express';

/** Who a request comes from, when it carries a valid access token. */
export interface SignedIn {
  accountId: string;
}

export type CitizenRequest = Request & { citizen?: SignedIn };

const REQUIRES_ACCOUNT = 'wz:requires-account';
/** The route needs a signed-in citizen (401 otherwise). */
export const RequireAccount = () => SetMetadata(REQUIRES_ACCOUNT, true);

/** The signed-in citizen, or undefined on routes that also serve anonymous citizens. */
export const Citizen = createParamDecorator((_data: unknown, context: ExecutionContext): SignedIn | undefined =>
  context.switchToHttp().getRequest<CitizenRequest>().citizen,
);

/**
 * Global: reads the bearer access token when there is one (a bad one is a 401, never ignored), so the
 * per-account rate limit and the handlers know the citizen; routes marked `@RequireAccount()` need one.
 */
@Injectable()
export class CitizenAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<CitizenRequest>();
    const header = request.headers.authorization;
    if (header) {
      const [scheme, token] = header.split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !token) {
        throw new CodedError('unauthenticated', 'auth.malformed', 'Authorization 头应为 “Bearer <访问令牌>”。');
      }
      try {
        const payload = await this.jwt.verifyAsync<{ sub: string; typ: string }>(token);
        if (payload.typ !== 'access') throw new Error('not an access token');
        request.citizen = { accountId: payload.sub };
      } catch {
        throw new CodedError('unauthenticated', 'auth.invalid_token', '登录已过期或令牌无效，请用刷新令牌换取新令牌或重新登录。');
      }
    }
    const required = this.reflector.getAllAndOverride<boolean>(REQUIRES_ACCOUNT, [context.getHandler(), context.getClass()]);
    if (required && !request.citizen) {
      throw new CodedError('unauthenticated', 'auth.required', '请先登录后再访问。');
    }
    return true;
  }
}
