import { Inject, Injectable } from '@nestjs/common';
import { OutboxWriter, TOPICS } from '@app/common';
import type { ObjectStore } from '@app/common/media/object-store.js';
import { maskPublicText } from '@app/common/privacy/mask.js';
import type { Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { OBJECT_STORE } from '../agency/media.providers.js';
import { CaseRepository } from '../cases/case.repository.js';
import { RouterError } from '../common/router-error.js';
import { bigrams, similarity } from '../routing/duplicates.js';
import {
  MASK_CHAR,
  type DeskAttachment,
  type DeskCaseDetail,
  type DuplicateCandidate,
  type PhotoReviewDto,
  type PublicTextDto,
} from './desk-case.dto.js';
import { DeskCaseRepository, type DeskCaseRow, type PhotoReview } from './desk-case.repository.js';

/** Candidates shown to the operator: looser than the router's own duplicate flag (0.45), so the desk can judge. */
const CANDIDATE_THRESHOLD = 0.25;
const MAX_CANDIDATES = 5;
const CANDIDATE_WINDOW_MS = 30 * 24 * 3600_000;

/**
 * The desk's case view and its publication decisions: which of the citizen's photos the portal may show
 * (AttachmentsPublished / AttachmentsWithdrawn) and the public text after the operator's own masking
 * (PublicTextMasked). Each decision is one transaction with its audit row and its event (outbox).
 */
@Injectable()
export class DeskCaseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: DeskCaseRepository,
    private readonly cases: CaseRepository,
    private readonly outbox: OutboxWriter,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  async detail(inquiryId: string): Promise<DeskCaseDetail> {
    const manager = this.dataSource.manager;
    const c = await this.found(manager, inquiryId);
    const auto = autoMasked(c);
    const { latitude, longitude, address } = c.location ?? {};
    return {
      inquiryId: c.inquiryId,
      trackingNo: c.trackingNo,
      channel: c.channel,
      status: c.status,
      title: c.title,
      content: c.content,
      receivedAt: new Date(c.receivedAt).toISOString(),
      anonymous: c.anonymous,
      deskDeadline: c.deskDeadline ? new Date(c.deskDeadline).toISOString() : null,
      deskReason: c.deskReason,
      claimedBy: c.claimedBy,
      location: { latitude, longitude, address, area: c.area, place: c.place },
      classification: {
        topic: c.topic,
        topicConfidence: c.topicConfidence,
        inquiryType: c.inquiryType,
        routingConfidence: c.routingConfidence,
      },
      suggestions: (c.suggestions ?? []).map((s) => ({ unitId: s.unitId, unitName: s.unitName, score: s.score })),
      unit: c.unitId ? { unitId: c.unitId, unitName: c.unitName, coUnitIds: c.coUnitIds } : null,
      attachments: c.attachments.map((a) => withUrls(c, a)),
      duplicates: await this.duplicates(manager, c),
      publicText: {
        title: c.publicContent !== null ? c.publicTitle : auto.title,
        content: c.publicContent ?? auto.content,
        maskedByDesk: c.publicContent !== null,
      },
      timeline: (await this.cases.auditTrail(manager, inquiryId)).map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    };
  }

  /** One of the case's own attachments (or its thumbnail); any other key is a 404 whether it exists or not. */
  async media(inquiryId: string, key: string): Promise<{ stream: Readable; contentType: string }> {
    const c = await this.found(this.dataSource.manager, inquiryId);
    for (const a of c.attachments) {
      if (a.objectKey === key) return { stream: this.store.read(key), contentType: a.contentType };
      if (a.thumbnailKey === key) return { stream: this.store.read(key), contentType: 'image/jpeg' };
    }
    throw new RouterError('media_not_found', '此案件没有这个附件');
  }

  /** Approves photos for the portal or hides them; hiding a published photo withdraws it from the portal. */
  async reviewPhotos(inquiryId: string, dto: PhotoReviewDto, operator: string): Promise<Record<string, PhotoReview>> {
    return this.dataSource.transaction(async (manager) => {
      const c = await this.found(manager, inquiryId, true);
      const photos = new Set(c.attachments.filter((a) => a.kind === 'photo').map((a) => a.objectKey));
      const unknown = dto.decisions.filter((d) => !photos.has(d.objectKey)).map((d) => d.objectKey);
      if (unknown.length) throw new RouterError('invalid_request', `不是此案件的照片：${unknown.join('、')}`);
      const at = new Date().toISOString();
      const reviews = { ...c.photoReviews };
      const published: string[] = [];
      const withdrawn: string[] = [];
      for (const d of dto.decisions) {
        const before = reviews[d.objectKey]?.decision;
        if (before === d.decision) continue;
        if (d.decision === 'approve') published.push(d.objectKey);
        else if (before === 'approve') withdrawn.push(d.objectKey);
        reviews[d.objectKey] = { decision: d.decision, actor: operator, at };
      }
      const hidden = dto.decisions.filter((d) => d.decision === 'hide').map((d) => d.objectKey);
      await this.repository.saveReviews(manager, inquiryId, reviews);
      await this.cases.audit(manager, inquiryId, 'photos_reviewed', operator, dto.reason ?? null, { approved: published, hidden, withdrawn });
      if (published.length) {
        await this.outbox.append(manager, TOPICS.caseEvents, 'AttachmentsPublished', { inquiryId, at, actor: operator, objectKeys: published });
      }
      if (withdrawn.length) {
        await this.outbox.append(manager, TOPICS.caseEvents, 'AttachmentsWithdrawn', { inquiryId, at, actor: operator, objectKeys: withdrawn });
      }
      return reviews;
    });
  }

  /**
   * Replaces the public text with the operator's masked version. It must be the automatically masked text with
   * some more characters turned into `*`: the desk hides personal details, it never rewrites the citizen's words.
   */
  async maskPublicText(inquiryId: string, dto: PublicTextDto, operator: string): Promise<{ title: string | null; content: string }> {
    return this.dataSource.transaction(async (manager) => {
      const c = await this.found(manager, inquiryId, true);
      const auto = autoMasked(c);
      const title = dto.title ?? null;
      if ((auto.title === null) !== (title === null) || (title !== null && !onlyMasks(auto.title!, title))) {
        throw new RouterError('invalid_request', '标题只能在原文上用 * 遮盖，不能改写');
      }
      if (!onlyMasks(auto.content, dto.content)) throw new RouterError('invalid_request', '正文只能在原文上用 * 遮盖，不能改写');
      await this.repository.savePublicText(manager, inquiryId, title, dto.content);
      const masked = countMasked(auto.content, dto.content) + (title ? countMasked(auto.title!, title) : 0);
      await this.cases.audit(manager, inquiryId, 'public_text_masked', operator, dto.reason, { maskedChars: masked });
      await this.outbox.append(manager, TOPICS.caseEvents, 'PublicTextMasked', {
        inquiryId,
        at: new Date().toISOString(),
        actor: operator,
        ...(title !== null ? { title } : {}),
        content: dto.content,
      });
      return { title, content: dto.content };
    });
  }

  private async found(manager: EntityManager, inquiryId: string, lock = false): Promise<DeskCaseRow> {
    const c = await this.repository.get(manager, inquiryId, lock);
    if (!c) throw new RouterError('case_not_found', `案件 ${inquiryId} 不存在`);
    return c;
  }

  /** Open cases of the last 30 days in the same area that read alike, most similar first; the flagged one always. */
  private async duplicates(manager: EntityManager, c: DeskCaseRow): Promise<DuplicateCandidate[]> {
    const text = (x: { title: string | null; content: string }) => [x.title, x.content].filter(Boolean).join('\n');
    const grams = bigrams(text(c));
    const since = new Date(new Date(c.receivedAt).getTime() - CANDIDATE_WINDOW_MS);
    const recent = c.area ? await this.cases.recentOpenInArea(manager, c.inquiryId, c.area, since) : [];
    const scored = recent
      .map((r) => ({ inquiryId: r.inquiryId, s: similarity(grams, bigrams(text(r))) }))
      .filter((r) => r.s >= CANDIDATE_THRESHOLD || r.inquiryId === c.duplicateOf)
      .sort((a, b) => b.s - a.s)
      .slice(0, MAX_CANDIDATES);
    const ids = scored.map((r) => r.inquiryId);
    if (c.duplicateOf && !ids.includes(c.duplicateOf)) ids.push(c.duplicateOf);
    const rows = await this.repository.summaries(manager, ids);
    return ids.flatMap((id) => {
      const r = rows.find((x) => x.inquiryId === id);
      if (!r) return [];
      return [
        {
          inquiryId: r.inquiryId,
          trackingNo: r.trackingNo,
          title: r.title,
          status: r.status,
          receivedAt: new Date(r.receivedAt).toISOString(),
          similarity: Math.round((scored.find((s) => s.inquiryId === id)?.s ?? similarity(grams, bigrams(text(r)))) * 100) / 100,
          flagged: id === c.duplicateOf,
        },
      ];
    });
  }
}

/** The same automatic mask the citizen read model applies when the case is received. */
function autoMasked(c: DeskCaseRow): { title: string | null; content: string } {
  const mask = { anonymous: c.anonymous };
  return { title: c.title ? maskPublicText(c.title, mask) : null, content: maskPublicText(c.content, mask) };
}

function onlyMasks(base: string, edited: string): boolean {
  const a = Array.from(base);
  const b = Array.from(edited);
  return a.length === b.length && b.every((ch, i) => ch === a[i] || ch === MASK_CHAR);
}

function countMasked(base: string, edited: string): number {
  const a = Array.from(base);
  return Array.from(edited).filter((ch, i) => ch !== a[i]).length;
}

function withUrls(c: DeskCaseRow, a: DeskCaseRow['attachments'][number]): DeskAttachment {
  const url = (key: string) => `/desk/cases/${encodeURIComponent(c.inquiryId)}/media?key=${encodeURIComponent(key)}`;
  return {
    ...a,
    url: url(a.objectKey),
    ...(a.thumbnailKey ? { thumbnailUrl: url(a.thumbnailKey) } : {}),
    review: a.kind === 'photo' ? (c.photoReviews[a.objectKey]?.decision ?? 'pending') : null,
  };
}
