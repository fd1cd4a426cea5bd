import { Inject, Injectable } from '@nestjs/common';
import { InjectPlatformConfig } from '@app/common';
import type { EntityManager } from 'typeorm';
import type { RouterConfig } from '../config.js';
import type { Suggestion } from '../routing/dispatch.js';
import { ACCEPT_WORKING_DAYS, DEADLINE_CALENDAR, REPLY_WORKING_DAYS, type DeadlineCalendar } from '../routing/deadline-calendar.js';
import { UnitContactsRepository } from '../agency/unit-contacts.repository.js';
import { ClockRepository } from '../lifecycle/clock.repository.js';
import { CaseRepository } from './case.repository.js';
import type { CaseEventBatch } from './case-event-batch.js';

export interface AssignTarget {
  unitId: string;
  unitName: string;
  coUnitIds: string[];
  emails?: string[];
}

/**
 * The two ways a case leaves triage, used by automatic routing and by the desk alike: each writes the row,
 * the audit entry and adds the `case.events.v1` event to the caller's batch (same transaction).
 */
@Injectable()
export class CaseTransitions {
  constructor(
    private readonly cases: CaseRepository,
    private readonly clocks: ClockRepository,
    private readonly contacts: UnitContactsRepository,
    @Inject(DEADLINE_CALENDAR) private readonly calendar: DeadlineCalendar,
    @InjectPlatformConfig() private readonly config: RouterConfig,
  ) {}

  async assign(
    manager: EntityManager,
    events: CaseEventBatch,
    inquiryId: string,
    target: AssignTarget,
    actor: string,
    reason: string | null,
  ): Promise<void> {
    const now = new Date();
    const acceptDeadline = this.calendar.addWorkingDays(now, ACCEPT_WORKING_DAYS);
    const replyDeadline = this.calendar.addWorkingDays(now, REPLY_WORKING_DAYS);
    await this.cases.markAssigned(manager, inquiryId, { ...target, by: actor, acceptDeadline, replyDeadline });
    await this.clocks.meet(manager, inquiryId, 'desk', now);
    await this.startClock(manager, inquiryId, 'accept', target.unitId, acceptDeadline);
    await this.startClock(manager, inquiryId, 'reply', target.unitId, replyDeadline);
    await this.clocks.cancel(manager, inquiryId, ['close']);
    const contacts = await this.contacts.of(manager, target.unitId);
    const unitContacts = contacts?.webhook
      ? { emails: contacts.emails, webhook: contacts.webhook, prefer: contacts.prefer }
      : target.emails?.length
        ? { emails: target.emails, prefer: 'email' as const }
        : undefined;
    const coUnits = [];
    for (const coUnitId of target.coUnitIds) {
      const co = await this.contacts.of(manager, coUnitId);
      if (co) coUnits.push({ unitId: coUnitId, unitName: co.unitName, unitContacts: { emails: co.emails, prefer: co.prefer, ...(co.webhook ? { webhook: co.webhook } : {}) } });
    }
    await this.cases.audit(manager, inquiryId, 'assigned', actor, reason, { unitId: target.unitId, unitName: target.unitName });
    events.add('Assigned', {
      inquiryId,
      at: now.toISOString(),
      actor,
      unitId: target.unitId,
      unitName: target.unitName,
      coUnitIds: target.coUnitIds,
      acceptDeadline: acceptDeadline.toISOString(),
      replyDeadline: replyDeadline.toISOString(),
      ...(unitContacts ? { unitContacts } : {}),
      ...(coUnits.length ? { coUnits } : {}),
    });
  }

  /** Starts a unit clock with its warning one (configurable) working day before the deadline. */
  async startClock(manager: EntityManager, inquiryId: string, clock: 'accept' | 'reply', unitId: string, dueAt: Date): Promise<void> {
    const warnAt = this.calendar.workingDaysBefore(dueAt, this.config.env.ROUTER_WARN_WORKING_DAYS);
    await this.clocks.start(manager, inquiryId, clock, unitId, dueAt, warnAt);
  }

  /** The case leaves the desk without a unit (merged, rejected): the desk clock stops, on time or not. */
  async leaveDesk(manager: EntityManager, inquiryId: string): Promise<void> {
    await this.clocks.meet(manager, inquiryId, 'desk', new Date());
  }

  async queue(
    manager: EntityManager,
    events: CaseEventBatch,
    inquiryId: string,
    receivedAt: Date,
    reason: string,
    suggestions: Suggestion[],
    duplicateOf?: string,
  ): Promise<void> {
    // The desk clock runs from receipt, in wall-clock hours (DESIGN: "within 2 hours"), and is stored.
    const deskDeadline = new Date(receivedAt.getTime() + this.config.env.ROUTER_DESK_HOURS * 3600_000);
    await this.cases.markQueued(manager, inquiryId, { deskDeadline, reason, duplicateOf });
    const deskWarnAt = new Date(deskDeadline.getTime() - this.config.env.ROUTER_DESK_WARN_MINUTES * 60_000);
    await this.clocks.start(manager, inquiryId, 'desk', null, deskDeadline, deskWarnAt);
    await this.cases.audit(manager, inquiryId, 'queued_for_desk', 'system', reason, { suggestions, duplicateOf });
    events.add('QueuedForDesk', {
      inquiryId,
      at: new Date().toISOString(),
      actor: 'system',
      reason,
      deskDeadline: deskDeadline.toISOString(),
      suggestions: suggestions.map((s) => ({ unitId: s.unitId, unitName: s.unitName, score: s.score })),
      ...(duplicateOf ? { duplicateOf } : {}),
    });
  }
}
