import { Inject, Injectable } from '@nestjs/common';
import { InjectPlatformConfig } from '@app/common';
import type { EntityManager } from 'typeorm';
import type { RouterConfig } from '../config.js';
import type { Suggestion } from '../routing/dispatch.js';
import { ACCEPT_WORKING_DAYS, DEADLINE_CALENDAR, REPLY_WORKING_DAYS, type DeadlineCalendar } from '../routing/deadline-calendar.js';
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
      ...(target.emails?.length ? { unitContacts: { emails: target.emails, prefer: 'email' as const } } : {}),
    });
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
