import { Injectable } from '@nestjs/common';
import { InjectPlatformConfig, type InquirySubmitted } from '@app/common';
import type { EntityManager } from 'typeorm';
import { CaseRepository } from '../cases/case.repository.js';
import type { CaseEventBatch } from '../cases/case-event-batch.js';
import { CaseTransitions } from '../cases/case-transitions.js';
import type { RouterConfig } from '../config.js';
import type { Dispatcher, RoutingDecision } from './dispatch.js';
import { BigramCache, bigrams, DuplicateIndex } from './duplicates.js';
import { CalendarCoverage } from './calendar-coverage.js';
import { RoutingSnapshot } from './routing-snapshot.js';

const DUPLICATE_WINDOW_MS = 30 * 24 * 3600_000;
/** The newest open cases of an area a new case is compared with. */
const DUPLICATE_CANDIDATES = 500;
/**
 * How long an area's index is trusted without reading its candidates again. Under load, reading up to 500 ids per
 * area for every intake batch was the database's largest statement (≈ 7 ms a batch); now an area is read at most
 * once a second. Within that second the index holds this instance's new cases but not another instance's, and a
 * case closed meanwhile still counts: both only change which cases the desk is shown as possible repeats.
 */
const AREA_RESYNC_MS = 1000;

/** Classifies a new case and assigns it at once or queues it for the desk, in the intake's transaction. */
@Injectable()
export class RoutingService {
  private readonly grams = new BigramCache();
  /** Per area, the open cases of the last `recentOpenInAreas` and of the batches since (see `DuplicateIndex`). */
  private readonly areaIndexes = new Map<string, DuplicateIndex>();
  /** When each area's index was last made to match the database. */
  private readonly areaSyncedAt = new Map<string, number>();

  constructor(
    private readonly snapshot: RoutingSnapshot,
    private readonly cases: CaseRepository,
    private readonly transitions: CaseTransitions,
    private readonly calendar: CalendarCoverage,
    @InjectPlatformConfig() private readonly config: RouterConfig,
  ) {}

  /**
   * Routes a batch of freshly received cases in the caller's transaction with a fixed number of statements:
   * events come out per case in the order Classified → Assigned/QueuedForDesk, after the caller's Received.
   */
  async routeNewCases(manager: EntityManager, events: CaseEventBatch, inquiries: InquirySubmitted[]): Promise<void> {
    if (inquiries.length === 0) return;
    const dispatcher = await this.snapshot.dispatcher();
    const decided = inquiries.map((inquiry) => ({ inquiry, decision: this.decideSafely(dispatcher, inquiry) }));
    await this.cases.saveClassifications(manager, decided.map(({ inquiry, decision }) => ({ inquiryId: inquiry.inquiryId, decision })));
    const at = new Date().toISOString();
    for (const { inquiry, decision } of decided) {
      events.add('Classified', {
        inquiryId: inquiry.inquiryId,
        at,
        actor: 'system',
        category: decision.topic,
        confidence: decision.confidence,
        ...(decision.place.area ? { area: decision.place.area } : {}),
        ...(decision.place.place ? { place: decision.place.place } : {}),
        inquiryType: decision.inquiryType,
      });
    }

    const duplicates = await this.duplicatesOf(manager, decided.map(({ inquiry, decision }) => ({ inquiry, area: decision.place.area })));
    const calendarReady = this.calendar.covers(new Date());
    const threshold = this.config.env.ROUTER_AUTO_THRESHOLD;
    const toAssign: Parameters<CaseTransitions['assignMany']>[2] = [];
    const toQueue: Parameters<CaseTransitions['queueMany']>[2] = [];
    for (const { inquiry, decision } of decided) {
      const duplicate = duplicates.get(inquiry.inquiryId);
      const [best] = decision.suggestions;
      if (best && !duplicate && calendarReady && decision.confidence >= threshold) {
        toAssign.push({
          inquiryId: inquiry.inquiryId,
          target: { unitId: best.unitId, unitName: best.unitName, coUnitIds: decision.coUnitIds, emails: dispatcher.emailsOf(best.unitId) },
          reason: `${best.why}（置信度 ${decision.confidence}）`,
        });
        continue;
      }
      const reason = duplicate
        ? `疑似重复：与案件 ${duplicate} 描述同一地点的同一问题`
        : !calendarReady && best
          ? '工作日历未覆盖办理期限，无法自动计算时限：请管理员添加放假安排后由人工分派'
          : best
            ? `置信度 ${decision.confidence} 低于自动分派阈值 ${threshold}`
            : '未能识别承办单位';
      toQueue.push({ inquiryId: inquiry.inquiryId, receivedAt: new Date(inquiry.receivedAt), reason, suggestions: decision.suggestions, duplicateOf: duplicate });
    }
    await this.transitions.assignMany(manager, events, toAssign, 'auto');
    await this.transitions.queueMany(manager, events, toQueue);
  }

  /** The intake's transaction rolled back: the indexes may hold its cases, so every area is read again next time. */
  forgetUncommitted(): void {
    this.areaSyncedAt.clear();
  }

  /** A fault in the routing code must not lose the case: it goes to the desk with no suggestion instead. */
  private decideSafely(dispatcher: Dispatcher, inquiry: InquirySubmitted): RoutingDecision {
    try {
      return dispatcher.decide(inquiry);
    } catch {
      return { topic: '未分类', topicConfidence: 0, inquiryType: inquiry.typeHint ?? '咨询', place: { ambiguous: true }, suggestions: [], confidence: 0, coUnitIds: [] };
    }
  }

  /**
   * Same problem at the same place as an open case of the last 30 days (or an earlier case of this batch): the
   * desk decides whether to merge. Returns the duplicate's id per new case that has one.
   */
  private async duplicatesOf(
    manager: EntityManager,
    batch: { inquiry: InquirySubmitted; area: string | undefined }[],
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const areas = [...new Set(batch.map((b) => b.area).filter((a): a is string => !!a))];
    if (areas.length === 0) return found;
    const now = Date.now();
    const since = new Date(now - DUPLICATE_WINDOW_MS);
    const batchIds = batch.map((b) => b.inquiry.inquiryId);
    for (const area of areas) if (!this.areaIndexes.has(area)) this.areaIndexes.set(area, new DuplicateIndex());
    const indexes = new Map(areas.map((a) => [a, this.areaIndexes.get(a)!]));
    const stale = areas.filter((a) => now - (this.areaSyncedAt.get(a) ?? 0) >= AREA_RESYNC_MS);
    const recent = stale.length ? await this.cases.recentOpenInAreas(manager, stale, since, batchIds, DUPLICATE_CANDIDATES) : [];
    const oldestFirst = new Map(stale.map((a) => [a, [] as string[]]));
    for (const r of recent.toReversed()) oldestFirst.get(r.area)?.push(r.inquiryId);
    const unseen = recent.filter((r) => !indexes.get(r.area)!.has(r.inquiryId) && !this.grams.get(r.inquiryId)).map((r) => r.inquiryId);
    for (const t of await this.cases.texts(manager, unseen)) this.grams.set(t.inquiryId, bigrams(caseText(t)));
    for (const area of stale) {
      indexes.get(area)!.syncTo(oldestFirst.get(area)!, (id) => this.grams.get(id));
      this.areaSyncedAt.set(area, now);
    }
    // A batch routed again after a rollback finds its own cases from the first try: never a repeat of itself.
    for (const { inquiry, area } of batch) if (area) indexes.get(area)!.remove(inquiry.inquiryId);

    for (const { inquiry, area } of batch) {
      if (!area) continue;
      const grams = bigrams(caseText(inquiry));
      const index = indexes.get(area)!;
      const duplicate = index.best(grams);
      if (duplicate) found.set(inquiry.inquiryId, duplicate);
      // Kept for the next batches too: if this transaction rolls back, `forgetUncommitted` has the areas read again.
      index.add(inquiry.inquiryId, grams);
      this.grams.set(inquiry.inquiryId, grams);
    }
    return found;
  }
}

function caseText(c: { title?: string | null; content: string }): string {
  return [c.title, c.content].filter(Boolean).join('。');
}
