import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CodedError } from '@app/common/http/coded-error.js';
import type { Response } from 'express';
import type { CitizenRequest } from '../accounts/auth.guard.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';

interface Window {
  started: number;
  count: number;
}

/**
 * Fixed-window request limits per client IP and per signed-in account (DESIGN rule 6: abuse gets 429).
 * Runs after CitizenAuthGuard, which identifies the account. Counters live in this process: with several
 * instances each enforces its share. (@nestjs/throttler 6 is CommonJS requiring the ESM-only Nest 12 and
 * cannot load under Jest's ESM runtime, hence this small guard.)
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private lastSweep = Date.now();

  constructor(@Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig) {
    this.windowMs = config.env.RATE_LIMIT_WINDOW_SECONDS * 1000;
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<CitizenRequest>();
    const now = Date.now();
    this.sweep(now);
    const retryIp = this.hit(`ip:${request.ip ?? 'unknown'}`, this.config.env.RATE_LIMIT_PER_IP, now);
    const account = request.citizen?.accountId;
    const retryAccount = account ? this.hit(`account:${account}`, this.config.env.RATE_LIMIT_PER_ACCOUNT, now) : 0;
    const retryAfter = Math.max(retryIp, retryAccount);
    if (retryAfter > 0) {
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(Math.ceil(retryAfter / 1000)));
      throw new CodedError('rate_limited', 'rate_limited', `操作过于频繁，请在 ${Math.ceil(retryAfter / 1000)} 秒后再试。`);
    }
    return true;
  }

  /** Counts one request; returns 0 when allowed, else the milliseconds until the window resets. */
  private hit(key: string, limit: number, now: number): number {
    let window = this.windows.get(key);
    if (!window || now - window.started >= this.windowMs) {
      window = { started: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    return window.count > limit ? window.started + this.windowMs - now : 0;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now - window.started >= this.windowMs) this.windows.delete(key);
  }
}
