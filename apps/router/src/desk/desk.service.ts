import { Injectable } from '@nestjs/common';
import { newId, OutboxWriter, TOPICS, type Channel } from '@app/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseRepository, type CaseRow } from '../cases/case.repository.js';
import { CaseEventBatch } from '../cases/case-event-batch.js';
import { CaseTransitions } from '../cases/case-transitions.js';
import { RouterError } from '../common/router-error.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import type { AssignDto, MergeDto, QueueEntry, RejectDto, RequestInfoDto } from './desk.dto.js';

const ON_DESK = ['queued_for_desk', 'classified', 'received'];
/** A claim lapses after this long, so a case an operator walked away from is not stuck past its clock. */
export const CLAIM_TTL_MS = 15 * 60_000;
const FINAL = ['rejected', 'merged', 'closed'];
/** A request-info identical to the case's last desk action within this long is a repeat of it. */
const REPEAT_WINDOW_SEC = 600;
/** A unit holds the case and has not answered yet. */
const HELD_BY_UNIT = ['assigned', 'accepted', 'extension_requested'];

/**
 * The editorial desk: every decision is one transaction holding the case row, the audit entry with who and
 * why, the `case.events.v1` event (outbox) and, for a routing decision, a labelled example for retraining.
 */
@Injectable()
export class DeskService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CaseRepository,
    private readonly registry: RegistryRepository,
    private readonly transitions: CaseTransitions,
    private readonly outbox: OutboxWriter,
  ) {}

  async queue(limit = 200, now = new Date()): Promise<QueueEntry[]> {
    const items = await this.cases.deskQueue(this.dataSource.manager, limit);
    return items.map((i) => {
      const msLeft = new Date(i.deskDeadline).getTime() - now.getTime();
      return {
        inquiryId: i.inquiryId,
        trackingNo: i.trackingNo,
        title: i.title,
        content: i.content,
        receivedAt: new Date(i.receivedAt).toISOString(),
        deskDeadline: new Date(i.deskDeadline).toISOString(),
        msLeft,
        overdue: msLeft < 0,
        reason: i.deskReason,
        suggestions: (i.suggestions ?? []).map((s) => ({ unitId: s.unitId, unitName: s.unitName, score: s.score })),
        claimedBy: i.claimedBy,
        duplicateOf: i.duplicateOf,
        area: i.area,
        topic: i.topic,
      };
    });
  }

  async claim(inquiryId: string, operator: string): Promise<void> {
    await this.decide(inquiryId, operator, ON_DESK, async (manager, c) => {
      if (c.claimedBy === operator) return;
      await this.cases.claim(manager, inquiryId, operator);
      await this.cases.audit(manager, inquiryId, 'claimed', operator, null);
      await this.outbox.append(manager, TOPICS.caseEvents, 'Claimed', { inquiryId, at: now(), actor: operator });
    });
  }

  /** Assign a queued case, or reassign an assigned one (a correction of the router or of a colleague). */
  async assign(inquiryId: string, dto: AssignDto, operator: string): Promise<void> {
    // The same request again (a double click, a retry after a lost answer, even after the unit accepted): already
    // so. A reassignment would notify the unit twice and restart its clocks, an extension nobody granted.
    const alreadySo = (c: CaseRow): boolean =>
      HELD_BY_UNIT.includes(c.status) && c.unitId === dto.unitId && sameSet(c.coUnitIds, dto.coUnitIds);
    await this.decide(inquiryId, operator, [...ON_DESK, 'assigned', 'awaiting_info'], async (manager, c) => {
      const unit = await this.registry.getUnit(manager, dto.unitId);
      if (!unit) throw new RouterError('unit_not_found', `单位 ${dto.unitId} 不存在`);
      if (!unit.active) throw new RouterError('unit_inactive', `单位“${unit.shortName}”已撤销或合并`);
      for (const co of dto.coUnitIds) {
        if (!(await this.registry.getUnit(manager, co))?.active) throw new RouterError('unit_inactive', `协办单位 ${co} 不可用`);
      }
      const action = c.status === 'assigned' ? 'reassign' : 'assign';
      const events = new CaseEventBatch();
      await this.transitions.assign(
        manager,
        events,
        inquiryId,
        { unitId: unit.id, unitName: unit.shortName, coUnitIds: dto.coUnitIds, emails: unit.emails },
        operator,
        `${action === 'reassign' ? '改派' : '分派'}：${dto.reason}`,
      );
      await events.flush(this.outbox, manager);
      await this.cases.labelledExample(manager, c, unit.shortName, unit.id, operator);
    }, alreadySo);
  }

  async merge(inquiryId: string, dto: MergeDto, operator: string): Promise<void> {
    if (dto.intoInquiryId === inquiryId) throw new RouterError('invalid_request', '不能合并到自身');
    await this.decide(inquiryId, operator, [...ON_DESK, 'awaiting_info'], async (manager, c) => {
      const into = await this.cases.get(manager, dto.intoInquiryId);
      if (!into) throw new RouterError('case_not_found', `案件 ${dto.intoInquiryId} 不存在`);
      if (FINAL.includes(into.status)) throw new RouterError('case_closed', '目标案件已结束，不能合并');
      await this.cases.setStatus(manager, inquiryId, 'merged', { mergedInto: into.inquiryId });
      await this.transitions.leaveDesk(manager, inquiryId);
      await this.cases.audit(manager, inquiryId, 'merged', operator, dto.reason, { intoInquiryId: into.inquiryId });
      await this.outbox.append(manager, TOPICS.caseEvents, 'Merged', {
        inquiryId,
        at: now(),
        actor: operator,
        intoInquiryId: into.inquiryId,
      });
      await this.cases.labelledExample(manager, c, 'merged', null, operator);
    });
  }

  async reject(inquiryId: string, dto: RejectDto, operator: string): Promise<void> {
    await this.decide(inquiryId, operator, [...ON_DESK, 'awaiting_info'], async (manager, c) => {
      await this.cases.setStatus(manager, inquiryId, 'rejected', { rejectReason: dto.reason });
      await this.transitions.leaveDesk(manager, inquiryId);
      await this.cases.audit(manager, inquiryId, 'rejected', operator, dto.reason, { category: dto.category });
      await this.outbox.append(manager, TOPICS.caseEvents, 'Rejected', { inquiryId, at: now(), actor: operator, reason: dto.reason });
      await this.cases.labelledExample(manager, c, `rejected:${dto.category}`, null, operator);
    });
  }

  /** The case stays on the desk (its clock keeps running); the question goes to the citizen on their channel. */
  async requestInfo(inquiryId: string, dto: RequestInfoDto, operator: string): Promise<void> {
    await this.decide(inquiryId, operator, ON_DESK, async (manager, c) => {
      // The same question again within minutes (a double click, a retry after a lost answer): asked already. The
      // case stays on the desk, so nothing else tells a repeat from a new request; the citizen must not get it twice.
      const asked = { action: 'info_requested', actor: operator, reason: dto.question };
      if (await this.cases.lastAuditIs(manager, inquiryId, asked, REPEAT_WINDOW_SEC)) return;
      await this.cases.audit(manager, inquiryId, 'info_requested', operator, dto.question);
      await this.outbox.append(manager, TOPICS.caseEvents, 'InfoRequested', {
        inquiryId,
        at: now(),
        actor: operator,
        question: dto.question,
      });
      await this.outbox.append(manager, TOPICS.channelOutbound, 'OutboundMessage', {
        messageId: newId(),
        inquiryId,
        citizen: { channel: c.citizenChannel as Channel, externalUserId: c.citizenRef },
        purpose: 'info_request',
        text: `您的诉求${c.trackingNo ? `（编号 ${c.trackingNo}）` : ''}需要补充信息：${dto.question}`,
      });
    });
  }

  async auditTrail(inquiryId: string) {
    const c = await this.cases.get(this.dataSource.manager, inquiryId);
    if (!c) throw new RouterError('case_not_found', `案件 ${inquiryId} 不存在`);
    return this.cases.auditTrail(this.dataSource.manager, inquiryId);
  }

  /** Locks the case, checks its state and the claim, then runs the decision in the same transaction. */
  private async decide(
    inquiryId: string,
    operator: string,
    allowed: string[],
    work: (manager: EntityManager, c: CaseRow) => Promise<void>,
    /** True when the case already is what the request asks for: nothing to do, whatever its status allows. */
    alreadySo?: (c: CaseRow) => boolean,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const c = await this.cases.get(manager, inquiryId, true);
      if (!c) throw new RouterError('case_not_found', `案件 ${inquiryId} 不存在`);
      if (FINAL.includes(c.status)) throw new RouterError('case_closed', `案件已${c.status === 'merged' ? '合并' : '结束'}`);
      if (alreadySo?.(c)) return;
      if (!allowed.includes(c.status)) throw new RouterError('case_not_on_desk', `案件当前状态（${c.status}）不允许此操作`);
      const claimLive = c.claimedAt !== null && Date.now() - new Date(c.claimedAt).getTime() < CLAIM_TTL_MS;
      if (c.claimedBy && c.claimedBy !== operator && claimLive) {
        throw new RouterError('case_claimed', `案件已由 ${c.claimedBy} 认领`);
      }
      await work(manager, c);
    });
  }
}

const now = (): string => new Date().toISOString();
const sameSet = (a: string[], b: string[]): boolean => [...new Set(a)].sort().join('\n') === [...new Set(b)].sort().join('\n');
