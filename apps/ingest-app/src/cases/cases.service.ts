import { Injectable } from '@nestjs/common';
import { OutboxWriter, TOPICS, type Citizen, type Rating } from '@app/common';
import { CodedError } from '@app/common/http/coded-error.js';
import { MediaPipeline } from '@app/common/media/media.pipeline.js';
import { DataSource } from 'typeorm';
import type { SignedIn } from '../accounts/auth.guard.js';
import { FollowUpTokens } from '../inquiries/follow-up-token.js';
import type { AcceptedDto, OwnCaseDetailDto, OwnCaseDto, OwnCasePageDto, TimelineEntryDto } from './cases.dto.js';
import { CasesRepository, type OwnCaseRow } from './cases.repository.js';

/** Who asks about a case: a signed-in citizen, or the holder of an anonymous case's follow-up token. */
export interface CaseAccess {
  citizen?: SignedIn;
  followUpToken?: string;
}

const FINISHED = new Set(['closed', 'merged', 'rejected']);

/** A citizen's own cases: list, detail with timeline, more information, a rating (to `inquiry.interaction.v1`). */
@Injectable()
export class CasesService {
  constructor(
    private readonly db: DataSource,
    private readonly repository: CasesRepository,
    private readonly outbox: OutboxWriter,
    private readonly followUp: FollowUpTokens,
    private readonly media: MediaPipeline,
  ) {}

  async list(citizen: SignedIn, page = 1, pageSize = 20): Promise<OwnCasePageDto> {
    const { rows, total } = await this.repository.listByAccount(citizen.accountId, pageSize, (page - 1) * pageSize);
    return { items: rows.map(toDto), total, page, pageSize };
  }

  async detail(inquiryId: string, access: CaseAccess): Promise<OwnCaseDetailDto> {
    const row = await this.own(inquiryId, access);
    const timeline = await this.repository.timeline(inquiryId);
    const entries: TimelineEntryDto[] = timeline.map((t) => ({ type: t.type, at: new Date(t.at).toISOString(), ...pick(t.detail) }));
    return { ...toDto(row), timeline: entries };
  }

  /** Text and up to 9 photos; the photos go through the media pipeline and are deleted again if the event cannot be recorded. */
  async addInformation(inquiryId: string, access: CaseAccess, text: string, photoPaths: string[] = []): Promise<AcceptedDto> {
    const row = await this.own(inquiryId, access);
    if (FINISHED.has(row.status ?? '')) {
      throw new CodedError('conflict', 'case.finished', '此诉求已办结，不能再补充信息；如有新问题请重新提交。');
    }
    const stored = await this.media.ingestAll(photoPaths.map((path) => ({ path, expect: 'photo' as const })));
    try {
      await this.db.transaction((manager) =>
        this.outbox.append(manager, TOPICS.inquiryInteraction, 'InformationAdded', {
          inquiryId,
          citizen: citizenOf(row),
          at: new Date().toISOString(),
          text,
          attachments: stored.attachments,
        }),
      );
    } catch (error) {
      await this.media.discard(stored.created);
      throw error;
    }
    return { inquiryId, status: 'accepted' };
  }

  async rate(inquiryId: string, access: CaseAccess, rating: Rating, comment?: string): Promise<AcceptedDto> {
    const row = await this.own(inquiryId, access);
    if (row.status !== 'replied') {
      const why = row.status === 'rated' ? '此诉求已评价过。' : '诉求答复后才能评价。';
      throw new CodedError('conflict', 'case.not_rateable', why);
    }
    await this.db.transaction((manager) =>
      this.outbox.append(manager, TOPICS.inquiryInteraction, 'RatingGiven', {
        inquiryId,
        citizen: citizenOf(row),
        at: new Date().toISOString(),
        rating,
        comment: comment || undefined,
      }),
    );
    return { inquiryId, status: 'accepted' };
  }

  /** The case if the asker owns it; otherwise the same 404 as a missing case, so ids cannot be probed. */
  private async own(inquiryId: string, access: CaseAccess): Promise<OwnCaseRow> {
    const row = await this.repository.find(inquiryId);
    const allowed =
      row &&
      ((access.citizen && row.account_id === access.citizen.accountId) ||
        (!row.account_id && access.followUpToken && this.followUp.matches(inquiryId, access.followUpToken)));
    if (!row || !allowed) {
      throw new CodedError('not_found', 'case.not_found', '找不到此诉求：请检查编号，并确认已登录提交时的账号或带上提交时得到的 X-Follow-Up-Token。');
    }
    return row;
  }
}

function citizenOf(row: OwnCaseRow): Citizen {
  return { channel: 'app', externalUserId: row.citizen_ref, ...(row.account_id ? { account: row.account_id } : {}) };
}

const iso = (d: Date | null): string | undefined => (d ? new Date(d).toISOString() : undefined);

function toDto(row: OwnCaseRow): OwnCaseDto {
  return {
    inquiryId: row.inquiry_id,
    trackingNo: row.tracking_no,
    status: row.status ?? 'submitted',
    typeHint: row.type_hint ?? undefined,
    title: row.title ?? undefined,
    content: row.content,
    anonymous: row.anonymous,
    receivedAt: new Date(row.received_at).toISOString(),
    unitName: row.unit_name ?? undefined,
    replyText: row.reply_text ?? undefined,
    repliedAt: iso(row.replied_at),
    replyDeadline: iso(row.reply_deadline),
    rating: row.rating ?? undefined,
    attachments: row.attachments.length,
  };
}

function pick(detail: Record<string, unknown>): Partial<TimelineEntryDto> {
  const out: Partial<TimelineEntryDto> = {};
  for (const key of ['unitName', 'text', 'rating', 'reason', 'replyDeadline', 'question'] as const) {
    if (typeof detail[key] === 'string') out[key] = detail[key] as string;
  }
  return out;
}
