import { Inject, Injectable } from '@nestjs/common';
import { InjectLogger, InjectPlatformConfig, OutboxWriter, TOPICS, type Rating } from '@app/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { CaseRepository } from '../cases/case.repository.js';
import { CaseTransitions } from '../cases/case-transitions.js';
import type { RouterConfig } from '../config.js';
import { DEADLINE_CALENDAR, REPLY_WORKING_DAYS, type DeadlineCalendar } from '../routing/deadline-calendar.js';
import { canStep } from './case-state.js';
import { ClockRepository } from './clock.repository.js';
import { LifecycleRepository, type LifecycleCase } from './lifecycle.repository.js';

/**
 * The end of a case: the citizen's rating (from `inquiry.interaction.v1`), reopening, closing — by rating,
 * by withdrawal, or automatically when no rating comes (未评价). All in the caller's transaction.
 */
@Injectable()
export class FeedbackService {
  constructor(
    private readonly repository: LifecycleRepository,
    private readonly cases: CaseRepository,
    private readonly clocks: ClockRepository,
    private readonly transitions: CaseTransitions,
    private readonly outbox: OutboxWriter,
    @Inject(DEADLINE_CALENDAR) private readonly calendar: DeadlineCalendar,
    @InjectPlatformConfig() private readonly config: RouterConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async rate(manager: EntityManager, inquiryId: string, rating: Rating, comment: string | undefined, actor = 'citizen'): Promise<void> {
    const c = await this.repository.lock(manager, inquiryId);
    if (!c) return this.logger.warn({ inquiryId }, 'rating for an unknown case ignored');
    if (!canStep(c.status, 'rate')) {
      // A second rating, or one for a case not answered yet: kept in the audit, no state change.
      await this.cases.audit(manager, inquiryId, 'rating_ignored', actor, `状态 ${c.status} 不接受评价`, { rating });
      return;
    }
    const at = new Date();
    await this.clocks.cancel(manager, inquiryId, ['close']);
    await this.repository.update(manager, inquiryId, 'rated', { rating, rated_at: at });
    await this.cases.audit(manager, inquiryId, 'rated', actor, comment ?? null, { rating });
    await this.outbox.append(manager, TOPICS.caseEvents, 'FeedbackRecorded', {
      inquiryId,
      at: at.toISOString(),
      actor,
      rating,
      ...(comment ? { comment } : {}),
    });
    if (rating !== '不满意') return this.close(manager, c, rating, actor, null);
    if (this.config.env.ROUTER_REOPEN_POLICY === 'always') {
      return this.reopen(manager, c, actor, `群众评价不满意${comment ? `：${comment}` : ''}`);
    }
    // Policy `desk`: the case waits in `rated` for a desk operator's decision.
  }

  /** The unit answers again, with a fresh 5-working-day reply clock. */
  async reopen(manager: EntityManager, c: LifecycleCase, actor: string, reason: string): Promise<void> {
    const replyDeadline = this.calendar.addWorkingDays(new Date(), REPLY_WORKING_DAYS);
    await manager.query(`UPDATE cases SET reopen_count = reopen_count + 1, reply_deadline = $2 WHERE inquiry_id = $1`, [c.inquiryId, replyDeadline]);
    await this.repository.update(manager, c.inquiryId, 'reopened');
    await this.clocks.cancel(manager, c.inquiryId, ['close']);
    if (c.unitId) await this.transitions.startClock(manager, c.inquiryId, 'reply', c.unitId, replyDeadline);
    await this.cases.audit(manager, c.inquiryId, 'reopened', actor, reason, { replyDeadline });
    await this.outbox.append(manager, TOPICS.caseEvents, 'Reopened', { inquiryId: c.inquiryId, at: new Date().toISOString(), actor, reason });
  }

  async close(manager: EntityManager, c: LifecycleCase, outcome: string, actor: string, reason: string | null): Promise<void> {
    await this.repository.update(manager, c.inquiryId, 'closed', { closed_at: new Date(), close_outcome: outcome });
    await this.clocks.cancel(manager, c.inquiryId, ['desk', 'accept', 'reply', 'close']);
    await this.cases.audit(manager, c.inquiryId, 'closed', actor, reason, { outcome });
    await this.outbox.append(manager, TOPICS.caseEvents, 'Closed', { inquiryId: c.inquiryId, at: new Date().toISOString(), actor, outcome });
  }

  /** The auto-close clock ran out: no rating came. A case rated meanwhile is left alone. */
  async autoClose(manager: EntityManager, inquiryId: string): Promise<boolean> {
    const c = await this.repository.lock(manager, inquiryId);
    if (!c || !canStep(c.status, 'auto_close')) return false;
    await this.close(manager, c, '未评价', 'system', `答复后 ${this.config.env.ROUTER_AUTO_CLOSE_DAYS} 天未评价，自动办结`);
    return true;
  }

  async withdraw(manager: EntityManager, inquiryId: string, reason: string | undefined): Promise<void> {
    const c = await this.repository.lock(manager, inquiryId);
    if (!c || !canStep(c.status, 'withdraw')) return;
    await this.close(manager, c, '撤回', 'citizen', reason ?? '群众撤回');
  }

  async informationAdded(manager: EntityManager, inquiryId: string, text: string): Promise<void> {
    const c = await this.repository.lock(manager, inquiryId);
    if (!c) return;
    await this.cases.audit(manager, inquiryId, 'information_added', 'citizen', null, { text: text.slice(0, 2000) });
  }
}
