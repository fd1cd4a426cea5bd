import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RoutingDecision, Suggestion } from '../routing/dispatch.js';

export interface CaseRow {
  inquiryId: string;
  trackingNo: string | null;
  citizenChannel: string;
  citizenRef: string;
  title: string | null;
  content: string;
  status: string;
  receivedAt: Date;
  area: string | null;
  place: string | null;
  topic: string | null;
  unitId: string | null;
  unitName: string | null;
  suggestions: Suggestion[] | null;
  deskDeadline: Date | null;
  claimedBy: string | null;
  claimedAt: Date | null;
  duplicateOf: string | null;
}

const COLUMNS = `inquiry_id AS "inquiryId", tracking_no AS "trackingNo", citizen_channel AS "citizenChannel",
  citizen_ref AS "citizenRef", title, content, status, received_at AS "receivedAt", area, place, topic,
  unit_id AS "unitId", unit_name AS "unitName", suggestions, desk_deadline AS "deskDeadline",
  claimed_by AS "claimedBy", claimed_at AS "claimedAt", duplicate_of AS "duplicateOf"`;

export interface QueueItem {
  inquiryId: string;
  trackingNo: string | null;
  title: string | null;
  content: string;
  receivedAt: Date;
  deskDeadline: Date;
  deskReason: string | null;
  suggestions: Suggestion[] | null;
  claimedBy: string | null;
  duplicateOf: string | null;
  area: string | null;
  topic: string | null;
}

@Injectable()
export class CaseRepository {
  async get(manager: EntityManager, inquiryId: string, lock = false): Promise<CaseRow | undefined> {
    const rows: CaseRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM cases WHERE inquiry_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [inquiryId],
    );
    return rows[0];
  }

  async saveClassification(manager: EntityManager, inquiryId: string, d: RoutingDecision): Promise<void> {
    await manager.query(
      `UPDATE cases SET status = 'classified', topic = $2, topic_confidence = $3, inquiry_type = $4, area = $5, place = $6,
              routing_confidence = $7, suggestions = $8, updated_at = now()
       WHERE inquiry_id = $1`,
      [
        inquiryId,
        d.topic,
        d.topicConfidence,
        d.inquiryType,
        d.place.area ?? null,
        d.place.place ?? null,
        d.confidence,
        JSON.stringify(d.suggestions),
      ],
    );
  }

  async markAssigned(
    manager: EntityManager,
    inquiryId: string,
    a: { unitId: string; unitName: string; coUnitIds: string[]; by: string; acceptDeadline: Date; replyDeadline: Date },
  ): Promise<void> {
    await manager.query(
      `UPDATE cases SET status = 'assigned', unit_id = $2, unit_name = $3, co_unit_ids = $4, assigned_by = $5,
              assigned_at = now(), accept_deadline = $6, reply_deadline = $7, claimed_by = NULL, claimed_at = NULL,
              accepted_at = NULL, accepted_on_time = NULL, ext_decision = NULL, status_before_ext = NULL,
              version = version + 1, updated_at = now()
       WHERE inquiry_id = $1`,
      [inquiryId, a.unitId, a.unitName, JSON.stringify(a.coUnitIds), a.by, a.acceptDeadline, a.replyDeadline],
    );
  }

  async markQueued(
    manager: EntityManager,
    inquiryId: string,
    q: { deskDeadline: Date; reason: string; duplicateOf?: string },
  ): Promise<void> {
    await manager.query(
      `UPDATE cases SET status = 'queued_for_desk', desk_deadline = $2, desk_reason = $3, duplicate_of = $4,
              version = version + 1, updated_at = now()
       WHERE inquiry_id = $1`,
      [inquiryId, q.deskDeadline, q.reason, q.duplicateOf ?? null],
    );
  }

  async setStatus(
    manager: EntityManager,
    inquiryId: string,
    status: 'rejected' | 'merged' | 'awaiting_info',
    extra: { rejectReason?: string; mergedInto?: string } = {},
  ): Promise<void> {
    await manager.query(
      `UPDATE cases SET status = $2, reject_reason = COALESCE($3, reject_reason), merged_into = COALESCE($4, merged_into),
              claimed_by = NULL, claimed_at = NULL, version = version + 1, updated_at = now()
       WHERE inquiry_id = $1`,
      [inquiryId, status, extra.rejectReason ?? null, extra.mergedInto ?? null],
    );
  }

  async claim(manager: EntityManager, inquiryId: string, operator: string): Promise<void> {
    await manager.query(`UPDATE cases SET claimed_by = $2, claimed_at = now(), updated_at = now() WHERE inquiry_id = $1`, [
      inquiryId,
      operator,
    ]);
  }

  async audit(
    manager: EntityManager,
    inquiryId: string,
    action: string,
    actor: string,
    reason: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await manager.query(
      `INSERT INTO case_audit (inquiry_id, action, actor, reason, details) VALUES ($1, $2, $3, $4, $5)`,
      [inquiryId, action, actor, reason, JSON.stringify(details)],
    );
  }

  async auditTrail(manager: EntityManager, inquiryId: string): Promise<{ action: string; actor: string; reason: string | null; details: unknown; at: Date }[]> {
    return manager.query(
      `SELECT action, actor, reason, details, at FROM case_audit WHERE inquiry_id = $1 ORDER BY id`,
      [inquiryId],
    );
  }

  /** A desk decision kept as a labelled example for retraining (label: the unit's short name or the outcome). */
  async labelledExample(
    manager: EntityManager,
    c: CaseRow,
    label: string,
    unitId: string | null,
    actor: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO labelled_examples (inquiry_id, text, predicted_unit_id, unit_id, label, actor)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [c.inquiryId, [c.title, c.content].filter(Boolean).join('\n'), c.suggestions?.[0]?.unitId ?? null, unitId, label, actor],
    );
  }

  async deskQueue(manager: EntityManager, limit: number): Promise<QueueItem[]> {
    return manager.query(
      `SELECT inquiry_id AS "inquiryId", tracking_no AS "trackingNo", title, content, received_at AS "receivedAt",
              desk_deadline AS "deskDeadline", desk_reason AS "deskReason", suggestions, claimed_by AS "claimedBy",
              duplicate_of AS "duplicateOf", area, topic
       FROM cases WHERE status = 'queued_for_desk' ORDER BY received_at, inquiry_id LIMIT $1`,
      [limit],
    );
  }

  /** Open cases of the last 30 days in the same area, newest first, for the duplicate check. */
  async recentOpenInArea(
    manager: EntityManager,
    inquiryId: string,
    area: string,
    since: Date,
  ): Promise<{ inquiryId: string; title: string | null; content: string }[]> {
    return manager.query(
      `SELECT inquiry_id AS "inquiryId", title, content FROM cases
       WHERE area = $2 AND received_at >= $3 AND inquiry_id <> $1
         AND status NOT IN ('rejected', 'merged', 'closed')
       ORDER BY received_at DESC LIMIT 500`,
      [inquiryId, area, since],
    );
  }
}
