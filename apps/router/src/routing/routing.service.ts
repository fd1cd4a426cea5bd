import { Injectable } from '@nestjs/common';
import { InjectPlatformConfig, type InquirySubmitted } from '@app/common';
import type { EntityManager } from 'typeorm';
import { CaseRepository } from '../cases/case.repository.js';
import type { CaseEventBatch } from '../cases/case-event-batch.js';
import { CaseTransitions } from '../cases/case-transitions.js';
import type { RouterConfig } from '../config.js';
import type { Dispatcher, RoutingDecision } from './dispatch.js';
import { findDuplicate } from './duplicates.js';
import { CalendarCoverage } from './calendar-coverage.js';
import { RoutingSnapshot } from './routing-snapshot.js';

const DUPLICATE_WINDOW_MS = 30 * 24 * 3600_000;

/** Classifies a new case and assigns it at once or queues it for the desk, in the intake's transaction. */
@Injectable()
export class RoutingService {
  constructor(
    private readonly snapshot: RoutingSnapshot,
    private readonly cases: CaseRepository,
    private readonly transitions: CaseTransitions,
    private readonly calendar: CalendarCoverage,
    @InjectPlatformConfig() private readonly config: RouterConfig,
  ) {}

  async routeNewCase(
    manager: EntityManager,
    events: CaseEventBatch,
    inquiry: InquirySubmitted,
  ): Promise<'assigned' | 'queued_for_desk'> {
    const dispatcher = await this.snapshot.dispatcher();
    const decision = this.decideSafely(dispatcher, inquiry);
    await this.cases.saveClassification(manager, inquiry.inquiryId, decision);
    events.add('Classified', {
      inquiryId: inquiry.inquiryId,
      at: new Date().toISOString(),
      actor: 'system',
      category: decision.topic,
      confidence: decision.confidence,
      ...(decision.place.area ? { area: decision.place.area } : {}),
      ...(decision.place.place ? { place: decision.place.place } : {}),
      inquiryType: decision.inquiryType,
    });

    const duplicate = await this.duplicateOf(manager, inquiry, decision.place.area);
    const [best] = decision.suggestions;
    const calendarReady = this.calendar.covers(new Date());
    if (best && !duplicate && calendarReady && decision.confidence >= this.config.env.ROUTER_AUTO_THRESHOLD) {
      await this.transitions.assign(
        manager,
        events,
        inquiry.inquiryId,
        { unitId: best.unitId, unitName: best.unitName, coUnitIds: decision.coUnitIds, emails: dispatcher.emailsOf(best.unitId) },
        'auto',
        `${best.why}（置信度 ${decision.confidence}）`,
      );
      return 'assigned';
    }
    const reason = duplicate
      ? `疑似重复：与案件 ${duplicate} 描述同一地点的同一问题`
      : !calendarReady && best
        ? '工作日历未覆盖办理期限，无法自动计算时限：请管理员添加放假安排后由人工分派'
      : best
        ? `置信度 ${decision.confidence} 低于自动分派阈值 ${this.config.env.ROUTER_AUTO_THRESHOLD}`
        : '未能识别承办单位';
    await this.transitions.queue(
      manager,
      events,
      inquiry.inquiryId,
      new Date(inquiry.receivedAt),
      reason,
      decision.suggestions,
      duplicate,
    );
    return 'queued_for_desk';
  }

  /** A fault in the routing code must not lose the case: it goes to the desk with no suggestion instead. */
  private decideSafely(dispatcher: Dispatcher, inquiry: InquirySubmitted): RoutingDecision {
    try {
      return dispatcher.decide(inquiry);
    } catch {
      return { topic: '未分类', topicConfidence: 0, inquiryType: inquiry.typeHint ?? '咨询', place: { ambiguous: true }, suggestions: [], confidence: 0, coUnitIds: [] };
    }
  }

  /** Same problem at the same place as an open case of the last 30 days: the desk decides whether to merge. */
  private async duplicateOf(manager: EntityManager, inquiry: InquirySubmitted, area: string | undefined): Promise<string | undefined> {
    if (!area) return undefined;
    const since = new Date(Date.now() - DUPLICATE_WINDOW_MS);
    const recent = await this.cases.recentOpenInArea(manager, inquiry.inquiryId, area, since);
    const text = [inquiry.title, inquiry.content].filter(Boolean).join('。');
    const found = findDuplicate(
      text,
      recent.map((r) => ({ id: r.inquiryId, text: [r.title, r.content].filter(Boolean).join('。') })),
    );
    return found?.id;
  }
}
