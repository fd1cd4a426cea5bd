import { createHash, timingSafeEqual } from 'node:crypto';
import { BadRequestException, Body, Controller, ForbiddenException, HttpCode, Injectable, Post, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ContractViolation } from '@app/common';
import type { Request } from 'express';
import { NotifierSettings } from '../notifier.settings.js';
import { DeadLetterReplay, type ReplayOutcome } from './dead-letter.replay.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** `X-Admin-Token` must equal NOTIFIER_ADMIN_TOKEN (constant-time); without one configured, closed. */
@Injectable()
export class NotifierAdminGuard implements CanActivate {
  constructor(private readonly settings: NotifierSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.settings.env.NOTIFIER_ADMIN_TOKEN;
    if (!expected) throw new ForbiddenException('未配置 NOTIFIER_ADMIN_TOKEN，死信重放已关闭。');
    const given = context.switchToHttp().getRequest<Request>().header('x-admin-token');
    if (!given || !timingSafeEqual(digest(given), digest(expected))) throw new ForbiddenException('管理令牌缺失或不正确（X-Admin-Token）。');
    return true;
  }
}

/** The operators' replay: the body is a record of `delivery.events.v1.dlq` as it was read from the topic. */
@UseGuards(NotifierAdminGuard)
@Controller('dead-letters')
export class DeadLetterController {
  constructor(private readonly replay: DeadLetterReplay) {}

  @Post('replay')
  @HttpCode(200)
  async replayOne(@Body() letter: unknown): Promise<{ outcome: ReplayOutcome }> {
    try {
      return { outcome: await this.replay.replay(letter) };
    } catch (error) {
      if (error instanceof ContractViolation) throw new BadRequestException({ message: '不是有效的死信（DeliveryDeadLettered）。', issues: error.issues });
      throw error;
    }
  }
}
