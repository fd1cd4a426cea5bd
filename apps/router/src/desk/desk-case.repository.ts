import { Injectable } from '@nestjs/common';
import type { Attachment, Location } from '@app/common';
import type { EntityManager } from 'typeorm';
import type { Suggestion } from '../routing/dispatch.js';
import type { PhotoDecision } from './desk-case.dto.js';

export interface PhotoReview {
  decision: PhotoDecision;
  actor: string;
  at: string;
}

export interface DeskCaseRow {
  inquiryId: string;
  trackingNo: string | null;
  channel: string;
  status: string;
  title: string | null;
  content: string;
  receivedAt: Date;
  anonymous: boolean;
  location: Location | null;
  attachments: Attachment[];
  area: string | null;
  place: string | null;
  topic: string | null;
  topicConfidence: number | null;
  inquiryType: string | null;
  routingConfidence: number | null;
  suggestions: Suggestion[] | null;
  unitId: string | null;
  unitName: string | null;
  coUnitIds: string[];
  deskDeadline: Date | null;
  deskReason: string | null;
  claimedBy: string | null;
  duplicateOf: string | null;
  publicTitle: string | null;
  publicContent: string | null;
  photoReviews: Record<string, PhotoReview>;
}

/** The desk's view of one case and its publication decisions (public text, photo reviews). */
@Injectable()
export class DeskCaseRepository {
  async get(manager: EntityManager, inquiryId: string, lock = false): Promise<DeskCaseRow | undefined> {
    const rows: DeskCaseRow[] = await manager.query(
      `SELECT inquiry_id AS "inquiryId", tracking_no AS "trackingNo", channel, status, title, content,
              received_at AS "receivedAt", anonymous, location, attachments, area, place, topic,
              topic_confidence AS "topicConfidence", inquiry_type AS "inquiryType", routing_confidence AS "routingConfidence",
              suggestions, unit_id AS "unitId", unit_name AS "unitName", co_unit_ids AS "coUnitIds",
              desk_deadline AS "deskDeadline", desk_reason AS "deskReason", claimed_by AS "claimedBy",
              duplicate_of AS "duplicateOf", public_title AS "publicTitle", public_content AS "publicContent",
              photo_reviews AS "photoReviews"
       FROM cases WHERE inquiry_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [inquiryId],
    );
    return rows[0];
  }

  async summaries(
    manager: EntityManager,
    inquiryIds: string[],
  ): Promise<{ inquiryId: string; trackingNo: string | null; title: string | null; status: string; receivedAt: Date; content: string }[]> {
    if (inquiryIds.length === 0) return [];
    return manager.query(
      `SELECT inquiry_id AS "inquiryId", tracking_no AS "trackingNo", title, status, received_at AS "receivedAt", content
       FROM cases WHERE inquiry_id = ANY($1)`,
      [inquiryIds],
    );
  }

  async saveReviews(manager: EntityManager, inquiryId: string, reviews: Record<string, PhotoReview>): Promise<void> {
    await manager.query(`UPDATE cases SET photo_reviews = $2, updated_at = now() WHERE inquiry_id = $1`, [inquiryId, JSON.stringify(reviews)]);
  }

  async savePublicText(manager: EntityManager, inquiryId: string, title: string | null, content: string): Promise<void> {
    await manager.query(`UPDATE cases SET public_title = $2, public_content = $3, updated_at = now() WHERE inquiry_id = $1`, [
      inquiryId,
      title,
      content,
    ]);
  }
}
