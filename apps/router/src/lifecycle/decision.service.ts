import { Inject, Injectable } from '@nestjs/common';
import { InjectPlatformConfig, OutboxWriter, TOPICS } from '@app/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseRepository } from '../cases/case.repository.js';
import { CaseEventBatch } from '../cases/case-event-batch.js';
import { CaseTransitions } from '../cases/case-transitions.js';
import { RouterError } from '../common/router-error.js';
import type { RouterConfig } from '../config.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { DEADLINE_CALENDAR, type DeadlineCalendar } from '../routing/deadline-calendar.js';
import { assertStep, canStep } from './case-state.js';
import { ClockRepository } from './clock.repository.js';
import { FeedbackService } from './feedback.service.js';
import { LifecycleRepository, type LifecycleCase } from './lifecycle.repository.js';
import type { ExtensionDecisionDto, FlagReviewDto, ReopenDecisionDto, ReturnDecisionDto } from './lifecycle.dto.js';

/** The desk's answers to what units and citizens ask: returns, extensions, reopening, flagged replies. */
@Injectable()
export class DecisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: LifecycleRepository,
    private readonly cases: CaseRepository,
    private readonly clocks: ClockRepository,
    private readonly transitions: CaseTransitions,
    private readonly registry: RegistryRepository,
    private readonly feedback: FeedbackService,
    private readonly outbox: OutboxWriter,
    @Inject(DEADLINE_CALENDAR) private readonly calendar: DeadlineCalendar,
    @InjectPlatformConfig() private readonly config: RouterConfig,
  ) {}

  async decideReturn(inquiryId: string, dto: ReturnDecisionDto, operator: string): Promise<void> {
    await this.locked(inquiryId, async (manager, c) => {
      assertStep(c.status, 'decide_return');
      if (dto.decision === 'reassign') {
        const unit = await this.registry.getUnit(manager, dto.unitId);
        if (!unit) throw new RouterError('unit_not_found', `单位 ${dto.unitId} 不存在`);
        if (!unit.active) throw new RouterError('unit_inactive', `单位“${unit.shortName}”已撤销或合并`);
        const events = new CaseEventBatch();
        await this.transitions.assign(
          manager,
          events,
          inquiryId,
          { unitId: unit.id, unitName: unit.shortName, coUnitIds: dto.coUnitIds, emails: unit.emails },
          operator,
          `退回后改派：${dto.reason}`,
        );
        await events.flush(this.outbox, manager);
        return;
      }
      // Sent back: the unit's clocks resume where they were (the time on the desk is not given back).
      if (!c.unitId) throw new RouterError('illegal_transition', '案件没有承办单位，不能退回原单位');
      await manager.query(`UPDATE deadlines SET cancelled = false WHERE inquiry_id = $1 AND clock IN ('accept', 'reply') AND met_at IS NULL`, [inquiryId]);
      await this.clocks.meet(manager, inquiryId, 'desk', new Date());
      await this.repository.update(manager, inquiryId, c.acceptedAt ? 'accepted' : 'assigned', { return_reason: null });
      const [acceptDue, replyDue] = [await this.clocks.dueAt(manager, inquiryId, 'accept'), await this.clocks.dueAt(manager, inquiryId, 'reply')];
      await this.cases.audit(manager, inquiryId, 'sent_back', operator, dto.reason, { unitId: c.unitId });
      await this.outbox.append(manager, TOPICS.caseEvents, 'Assigned', {
        inquiryId,
        at: new Date().toISOString(),
        actor: operator,
        unitId: c.unitId,
        unitName: c.unitName ?? c.unitId,
        coUnitIds: c.coUnitIds,
        acceptDeadline: new Date(acceptDue ?? Date.now()).toISOString(),
        replyDeadline: new Date(replyDue ?? Date.now()).toISOString(),
      });
    });
  }

  async decideExtension(inquiryId: string, dto: ExtensionDecisionDto, operator: string): Promise<{ replyDeadline?: string }> {
    return this.locked(inquiryId, async (manager, c) => {
      assertStep(c.status, 'decide_extension');
      const back = c.statusBeforeExt ?? 'accepted';
      const now = new Date().toISOString();
      if (!dto.grant) {
        await this.repository.update(manager, inquiryId, back, { ext_decision: 'refused' });
        await this.cases.audit(manager, inquiryId, 'extension_refused', operator, dto.reason);
        await this.outbox.append(manager, TOPICS.caseEvents, 'ExtensionRefused', { inquiryId, at: now, actor: operator, reason: dto.reason });
        return {};
      }
      const days = dto.workingDays ?? c.extDays ?? 1;
      const current = (await this.clocks.dueAt(manager, inquiryId, 'reply')) ?? new Date();
      const due = this.calendar.addWorkingDays(new Date(current), days);
      const warn = this.calendar.warningBefore(due, this.config.env.ROUTER_WARN_WORKING_DAYS);
      await this.clocks.extend(manager, inquiryId, 'reply', due, warn);
      await this.repository.update(manager, inquiryId, back, { ext_decision: 'granted', reply_deadline: due });
      await this.cases.audit(manager, inquiryId, 'extension_granted', operator, dto.reason, { workingDays: days, replyDeadline: due });
      await this.outbox.append(manager, TOPICS.caseEvents, 'ExtensionGranted', {
        inquiryId,
        at: now,
        actor: operator,
        replyDeadline: due.toISOString(),
        reason: dto.reason,
      });
      return { replyDeadline: due.toISOString() };
    });
  }

  /** Policy `desk`: a 不满意 case waits in `rated` until an operator reopens or closes it. */
  async decideReopen(inquiryId: string, dto: ReopenDecisionDto, operator: string): Promise<void> {
    await this.locked(inquiryId, async (manager, c) => {
      assertStep(c.status, 'decide_reopen');
      if (dto.reopen) await this.feedback.reopen(manager, c, operator, dto.reason);
      else await this.feedback.close(manager, c, '不满意', operator, dto.reason);
    });
  }

  /** A flagged (brush-off) reply: the desk keeps it, or rejects it and the unit must answer again. */
  async reviewFlag(inquiryId: string, dto: FlagReviewDto, operator: string): Promise<void> {
    await this.locked(inquiryId, async (manager, c) => {
      assertStep(c.status, 'review_flag');
      const reviewed = await this.repository.reviewFlags(manager, inquiryId, dto.accept ? 'accepted' : 'rejected');
      if (reviewed === 0) throw new RouterError('illegal_transition', '该案件没有待复核的敷衍答复标记');
      await this.cases.audit(manager, inquiryId, dto.accept ? 'flag_accepted' : 'flag_rejected', operator, dto.reason);
      // A rejected brush-off on an open case goes back to the unit; on a closed case it only counts.
      if (!dto.accept && (c.status === 'replied' || canStep(c.status, 'decide_reopen'))) {
        await this.feedback.reopen(manager, c, operator, `答复敷衍，退回重办：${dto.reason}`);
      }
    });
  }

  private locked<T>(inquiryId: string, work: (m: EntityManager, c: LifecycleCase) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const c = await this.repository.lock(manager, inquiryId);
      if (!c) throw new RouterError('case_not_found', `案件 ${inquiryId} 不存在`);
      return work(manager, c);
    });
  }
}
