import { Inject, Injectable } from '@nestjs/common';
import { InjectPlatformConfig, OutboxWriter, TOPICS, type Attachment } from '@app/common';
import { DataSource, type EntityManager } from 'typeorm';
import { detectBrushOff } from '../brushoff/brush-off.detector.js';
import { CaseRepository } from '../cases/case.repository.js';
import { RouterError } from '../common/router-error.js';
import type { RouterConfig } from '../config.js';
import { DEADLINE_CALENDAR, type DeadlineCalendar } from '../routing/deadline-calendar.js';
import { assertStep } from './case-state.js';
import { ClockRepository } from './clock.repository.js';
import { LifecycleRepository, type LifecycleCase } from './lifecycle.repository.js';

/** Who acts for a unit: a unit agent (staff login) or the unit's API key. */
export interface UnitActor {
  sub: string;
  unitId: string;
}

export interface ReplyResult {
  status: string;
  onTime: boolean;
  flagged: boolean;
  flags: string[];
}

const DAY_MS = 24 * 3600_000;

/**
 * What a unit does with its cases. Every step is one transaction: the case row (locked), the clock, the audit
 * entry with who and why, and the `case.events.v1` event in the outbox. A case of another unit is "not found".
 */
@Injectable()
export class LifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: LifecycleRepository,
    private readonly cases: CaseRepository,
    private readonly clocks: ClockRepository,
    private readonly outbox: OutboxWriter,
    @Inject(DEADLINE_CALENDAR) private readonly calendar: DeadlineCalendar,
    @InjectPlatformConfig() private readonly config: RouterConfig,
  ) {}

  async accept(inquiryId: string, actor: UnitActor): Promise<{ status: string; onTime: boolean }> {
    return this.asLead(inquiryId, actor, async (manager, c) => {
      assertStep(c.status, 'accept');
      const onTime = await this.markAccepted(manager, c, actor, new Date());
      return { status: 'accepted', onTime };
    });
  }

  async reply(inquiryId: string, actor: UnitActor, text: string, attachments: Attachment[]): Promise<ReplyResult> {
    return this.asUnit(inquiryId, actor, async (manager, c, lead) => {
      const at = new Date();
      const flags = detectBrushOff(text, { minChars: this.config.env.ROUTER_BRUSHOFF_MIN_CHARS });
      const unitName = lead ? (c.unitName ?? actor.unitId) : await this.unitName(manager, actor.unitId);
      let onTime: boolean;
      if (lead) {
        assertStep(c.status, 'reply');
        if (c.status === 'assigned') await this.markAccepted(manager, c, actor, at);
        onTime = await this.clocks.meet(manager, inquiryId, 'reply', at);
        const first = c.repliedAt === null;
        await this.repository.update(manager, inquiryId, 'replied', {
          replied_at: at,
          ...(first ? { replied_on_time: onTime, reply_working_hours: this.workingHours(c.assignedAt, at) } : {}),
          ...(c.status === 'extension_requested' ? { ext_decision: 'lapsed' } : {}),
        });
        await this.clocks.start(manager, inquiryId, 'close', null, new Date(at.getTime() + this.config.env.ROUTER_AUTO_CLOSE_DAYS * DAY_MS), null);
      } else {
        assertStep(c.status, 'part_reply');
        const due = await this.clocks.dueAt(manager, inquiryId, 'reply');
        onTime = !due || at <= new Date(due);
      }
      await this.repository.addReply(manager, { inquiryId, unitId: actor.unitId, final: lead, text, attachments, onTime, flags, author: actor.sub, at });
      await this.cases.audit(manager, inquiryId, lead ? 'replied' : 'part_replied', actor.sub, null, { unitId: actor.unitId, onTime, flags });
      const facts = { inquiryId, at: at.toISOString(), actor: actor.sub, unitId: actor.unitId, unitName };
      await this.outbox.append(manager, TOPICS.caseEvents, lead ? 'ReplyPosted' : 'PartReplied', { ...facts, text, attachments, onTime });
      if (flags.length > 0) await this.outbox.append(manager, TOPICS.caseEvents, 'ReplyFlagged', { ...facts, flags });
      return { status: lead ? 'replied' : c.status, onTime, flagged: flags.length > 0, flags };
    });
  }

  /** The unit says the case is not theirs; its clocks stop until the desk reassigns or sends it back. */
  async returnCase(inquiryId: string, actor: UnitActor, reason: string): Promise<{ status: string }> {
    return this.asLead(inquiryId, actor, async (manager, c) => {
      assertStep(c.status, 'return');
      await this.repository.update(manager, inquiryId, 'returned', { return_reason: reason });
      await this.clocks.cancel(manager, inquiryId, ['accept', 'reply']);
      // Back on the desk: the desk's 2-hour clock runs again until it reassigns or sends the case back.
      const deskDue = new Date(Date.now() + this.config.env.ROUTER_DESK_HOURS * 3600_000);
      await this.clocks.start(manager, inquiryId, 'desk', null, deskDue, new Date(deskDue.getTime() - this.config.env.ROUTER_DESK_WARN_MINUTES * 60_000));
      await this.cases.audit(manager, inquiryId, 'returned', actor.sub, reason, { unitId: actor.unitId });
      await this.outbox.append(manager, TOPICS.caseEvents, 'Returned', {
        inquiryId,
        at: new Date().toISOString(),
        actor: actor.sub,
        unitId: actor.unitId,
        unitName: c.unitName ?? actor.unitId,
        reason,
      });
      return { status: 'returned' };
    });
  }

  /** The reply clock keeps running while the desk decides. */
  async requestExtension(inquiryId: string, actor: UnitActor, workingDays: number, reason: string): Promise<{ status: string }> {
    return this.asLead(inquiryId, actor, async (manager, c) => {
      assertStep(c.status, 'request_extension');
      await this.repository.update(manager, inquiryId, 'extension_requested', {
        status_before_ext: c.status,
        ext_days: workingDays,
        ext_reason: reason,
        ext_requested_at: new Date(),
        ext_decision: 'pending',
      });
      await this.cases.audit(manager, inquiryId, 'extension_requested', actor.sub, reason, { workingDays });
      await this.outbox.append(manager, TOPICS.caseEvents, 'ExtensionRequested', {
        inquiryId,
        at: new Date().toISOString(),
        actor: actor.sub,
        unitId: actor.unitId,
        unitName: c.unitName ?? actor.unitId,
        workingDays,
        reason,
      });
      return { status: 'extension_requested' };
    });
  }

  async addNote(inquiryId: string, author: string, unitId: string | null, text: string): Promise<{ id: number; at: Date }> {
    const work = async (manager: EntityManager, c: LifecycleCase) => {
      assertStep(c.status, 'note');
      const note = await this.repository.addNote(manager, inquiryId, unitId, author, text);
      await this.cases.audit(manager, inquiryId, 'note_added', author, null, { noteId: note.id, unitId });
      await this.outbox.append(manager, TOPICS.caseEvents, 'NoteAdded', { inquiryId, at: new Date().toISOString(), actor: author, noteId: String(note.id) });
      return note;
    };
    if (unitId) return this.asUnit(inquiryId, { sub: author, unitId }, (m, c) => work(m, c));
    return this.dataSource.transaction(async (manager) => work(manager, await this.mustLock(manager, inquiryId)));
  }

  private async markAccepted(manager: EntityManager, c: LifecycleCase, actor: UnitActor, at: Date): Promise<boolean> {
    const onTime = await this.clocks.meet(manager, c.inquiryId, 'accept', at);
    await this.repository.update(manager, c.inquiryId, 'accepted', { accepted_at: at, accepted_on_time: onTime });
    await this.cases.audit(manager, c.inquiryId, 'accepted', actor.sub, null, { unitId: actor.unitId, onTime });
    await this.outbox.append(manager, TOPICS.caseEvents, 'Accepted', {
      inquiryId: c.inquiryId,
      at: at.toISOString(),
      actor: actor.sub,
      unitId: actor.unitId,
      unitName: c.unitName ?? actor.unitId,
      onTime,
    });
    return onTime;
  }

  private workingHours(from: Date | null, to: Date): number | null {
    if (!from) return null;
    try {
      return Math.round(this.calendar.workingHoursBetween(new Date(from), to) * 100) / 100;
    } catch {
      return null; // outside the loaded calendar: left out of the average rather than guessed
    }
  }

  private async unitName(manager: EntityManager, unitId: string): Promise<string> {
    const rows: { name: string }[] = await manager.query(`SELECT short_name AS name FROM units WHERE id = $1`, [unitId]);
    return rows[0]?.name ?? unitId;
  }

  private async mustLock(manager: EntityManager, inquiryId: string): Promise<LifecycleCase> {
    const c = await this.repository.lock(manager, inquiryId);
    if (!c) throw new RouterError('case_not_found', `案件 ${inquiryId} 不存在`);
    return c;
  }

  /** The lead or a co-handling unit; any other unit gets "not found" (it must not learn the case exists). */
  private asUnit<T>(inquiryId: string, actor: UnitActor, work: (m: EntityManager, c: LifecycleCase, lead: boolean) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const c = await this.repository.lock(manager, inquiryId);
      const lead = c?.unitId === actor.unitId;
      if (!c || (!lead && !c.coUnitIds.includes(actor.unitId))) throw new RouterError('case_not_found', `案件 ${inquiryId} 不存在`);
      return work(manager, c, lead);
    });
  }

  private asLead<T>(inquiryId: string, actor: UnitActor, work: (m: EntityManager, c: LifecycleCase) => Promise<T>): Promise<T> {
    return this.asUnit(inquiryId, actor, (manager, c, lead) => {
      if (!lead) throw new RouterError('not_lead_unit', '只有主办单位可以执行此操作');
      return work(manager, c);
    });
  }
}
