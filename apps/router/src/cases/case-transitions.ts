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
    await this.assignMany(manager, events, [{ inquiryId, target, reason }], actor);
  }

  /** Assigns several cases in one set of statements (automatic routing of a whole consumer batch). */
  async assignMany(
    manager: EntityManager,
    events: CaseEventBatch,
    items: { inquiryId: string; target: AssignTarget; reason: string | null }[],
    actor: string,
  ): Promise<void> {
    if (items.length === 0) return;
    const now = new Date();
    const acceptDeadline = this.calendar.addWorkingDays(now, ACCEPT_WORKING_DAYS);
    const replyDeadline = this.calendar.addWorkingDays(now, REPLY_WORKING_DAYS);
    const ids = items.map((i) => i.inquiryId);
    await this.cases.markAssigned(
      manager,
      items.map(({ inquiryId, target }) => ({ inquiryId, ...target, by: actor, acceptDeadline, replyDeadline })),
    );
    await this.clocks.meetMany(manager, ids, 'desk', now);
    await this.clocks.startMany(
      manager,
      items.flatMap(({ inquiryId, target }) => [
        this.unitClock(inquiryId, 'accept', target.unitId, acceptDeadline),
        this.unitClock(inquiryId, 'reply', target.unitId, replyDeadline),
      ]),
    );
    await this.clocks.cancel(manager, ids, ['close']);
    const contacts = await this.contacts.ofMany(manager, items.flatMap((i) => [i.target.unitId, ...i.target.coUnitIds]));
    await this.cases.auditMany(
      manager,
      items.map(({ inquiryId, target, reason }) => ({
        inquiryId,
        action: 'assigned',
        actor,
        reason,
        details: { unitId: target.unitId, unitName: target.unitName },
      })),
    );
    for (const { inquiryId, target } of items) {
      const registered = contacts.get(target.unitId);
      const unitContacts = registered?.webhook
        ? { emails: registered.emails, webhook: registered.webhook, prefer: registered.prefer }
        : target.emails?.length
          ? { emails: target.emails, prefer: 'email' as const }
          : undefined;
      const coUnits = target.coUnitIds.flatMap((unitId) => {
        const co = contacts.get(unitId);
        return co
          ? [{ unitId, unitName: co.unitName, unitContacts: { emails: co.emails, prefer: co.prefer, ...(co.webhook ? { webhook: co.webhook } : {}) } }]
          : [];
      });
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
  }

  /** Starts a unit clock with its warning one (configurable) working day before the deadline. */
  async startClock(manager: EntityManager, inquiryId: string, clock: 'accept' | 'reply', unitId: string, dueAt: Date): Promise<void> {
    await this.clocks.startMany(manager, [this.unitClock(inquiryId, clock, unitId, dueAt)]);
  }

  private unitClock(inquiryId: string, clock: 'accept' | 'reply', unitId: string, dueAt: Date) {
    return { inquiryId, clock, unitId, dueAt, warnAt: this.calendar.warningBefore(dueAt, this.config.env.ROUTER_WARN_WORKING_DAYS) };
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
    await this.queueMany(manager, events, [{ inquiryId, receivedAt, reason, suggestions, duplicateOf }]);
  }

  async queueMany(
    manager: EntityManager,
    events: CaseEventBatch,
    items: { inquiryId: string; receivedAt: Date; reason: string; suggestions: Suggestion[]; duplicateOf?: string }[],
  ): Promise<void> {
    if (items.length === 0) return;
    // The desk clock runs from receipt, in wall-clock hours (DESIGN: "within 2 hours"), and is stored.
    const planned = items.map((item) => {
      const deskDeadline = new Date(item.receivedAt.getTime() + this.config.env.ROUTER_DESK_HOURS * 3600_000);
      return { ...item, deskDeadline, deskWarnAt: new Date(deskDeadline.getTime() - this.config.env.ROUTER_DESK_WARN_MINUTES * 60_000) };
    });
    await this.cases.markQueued(manager, planned);
    await this.clocks.startMany(
      manager,
      planned.map((p) => ({ inquiryId: p.inquiryId, clock: 'desk' as const, unitId: null, dueAt: p.deskDeadline, warnAt: p.deskWarnAt })),
    );
    await this.cases.auditMany(
      manager,
      planned.map((p) => ({
        inquiryId: p.inquiryId,
        action: 'queued_for_desk',
        actor: 'system',
        reason: p.reason,
        details: { suggestions: p.suggestions, duplicateOf: p.duplicateOf },
      })),
    );
    const at = new Date().toISOString();
    for (const p of planned) {
      events.add('QueuedForDesk', {
        inquiryId: p.inquiryId,
        at,
        actor: 'system',
        reason: p.reason,
        deskDeadline: p.deskDeadline.toISOString(),
        suggestions: p.suggestions.map((s) => ({ unitId: s.unitId, unitName: s.unitName, score: s.score })),
        ...(p.duplicateOf ? { duplicateOf: p.duplicateOf } : {}),
      });
    }
  }
}
