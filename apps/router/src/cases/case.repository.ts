import { Injectable } from '@nestjs/common';
import { writeBehind } from '@app/common';
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
  coUnitIds: string[];
  suggestions: Suggestion[] | null;
  deskDeadline: Date | null;
  claimedBy: string | null;
  claimedAt: Date | null;
  duplicateOf: string | null;
}

const COLUMNS = `inquiry_id AS "inquiryId", tracking_no AS "trackingNo", citizen_channel AS "citizenChannel",
  citizen_ref AS "citizenRef", title, content, status, received_at AS "receivedAt", area, place, topic,
  unit_id AS "unitId", unit_name AS "unitName", co_unit_ids AS "coUnitIds", suggestions, desk_deadline AS "deskDeadline",
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

/**
 * The cases table and its audit trail. Batch updates name their keys twice: in the rows and as `= ANY($2)`, so the
 * planner, which cannot count the rows of `jsonb_to_recordset`, sees how few cases they touch and uses the key.
 * Updates whose result nothing reads are written behind (`writeBehind`):
 * on the consumers' hot path they travel with the transaction's next statement instead of taking a round trip.
 */
@Injectable()
export class CaseRepository {
  async get(manager: EntityManager, inquiryId: string, lock = false): Promise<CaseRow | undefined> {
    const rows: CaseRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM cases WHERE inquiry_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [inquiryId],
    );
    return rows[0];
  }

  /** Classification of freshly received cases, one statement for the whole batch. */
  async saveClassifications(manager: EntityManager, items: { inquiryId: string; decision: RoutingDecision }[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map(({ inquiryId, decision: d }) => ({
      inquiry_id: inquiryId,
      topic: d.topic,
      topic_confidence: d.topicConfidence,
      inquiry_type: d.inquiryType,
      area: d.place.area ?? null,
      place: d.place.place ?? null,
      routing_confidence: d.confidence,
      suggestions: d.suggestions,
    }));
    await writeBehind(manager, {
      text: `UPDATE cases c SET status = 'classified', topic = x.topic, topic_confidence = x.topic_confidence,
              inquiry_type = x.inquiry_type, area = x.area, place = x.place, routing_confidence = x.routing_confidence,
              suggestions = x.suggestions, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS x(inquiry_id text, topic text, topic_confidence real, inquiry_type text,
            area text, place text, routing_confidence real, suggestions jsonb)
       WHERE c.inquiry_id = x.inquiry_id AND c.inquiry_id = ANY($2::text[])`,
      values: [JSON.stringify(rows), rows.map((r) => r.inquiry_id)],
    });
  }

  async markAssigned(
    manager: EntityManager,
    items: { inquiryId: string; unitId: string; unitName: string; coUnitIds: string[]; by: string; acceptDeadline: Date; replyDeadline: Date }[],
  ): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map((a) => ({
      inquiry_id: a.inquiryId,
      unit_id: a.unitId,
      unit_name: a.unitName,
      co_unit_ids: a.coUnitIds,
      assigned_by: a.by,
      accept_deadline: a.acceptDeadline,
      reply_deadline: a.replyDeadline,
    }));
    await writeBehind(manager, {
      text: `UPDATE cases c SET status = 'assigned', unit_id = x.unit_id, unit_name = x.unit_name, co_unit_ids = x.co_unit_ids,
              assigned_by = x.assigned_by, assigned_at = now(), accept_deadline = x.accept_deadline,
              reply_deadline = x.reply_deadline, claimed_by = NULL, claimed_at = NULL, accepted_at = NULL,
              accepted_on_time = NULL, ext_decision = NULL, status_before_ext = NULL, version = version + 1, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS x(inquiry_id text, unit_id text, unit_name text, co_unit_ids jsonb,
            assigned_by text, accept_deadline timestamptz, reply_deadline timestamptz)
       WHERE c.inquiry_id = x.inquiry_id AND c.inquiry_id = ANY($2::text[])`,
      values: [JSON.stringify(rows), rows.map((r) => r.inquiry_id)],
    });
  }

  async markQueued(
    manager: EntityManager,
    items: { inquiryId: string; deskDeadline: Date; reason: string; duplicateOf?: string }[],
  ): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map((q) => ({
      inquiry_id: q.inquiryId,
      desk_deadline: q.deskDeadline,
      desk_reason: q.reason,
      duplicate_of: q.duplicateOf ?? null,
    }));
    await writeBehind(manager, {
      text: `UPDATE cases c SET status = 'queued_for_desk', desk_deadline = x.desk_deadline, desk_reason = x.desk_reason,
              duplicate_of = x.duplicate_of, version = version + 1, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS x(inquiry_id text, desk_deadline timestamptz, desk_reason text, duplicate_of text)
       WHERE c.inquiry_id = x.inquiry_id AND c.inquiry_id = ANY($2::text[])`,
      values: [JSON.stringify(rows), rows.map((r) => r.inquiry_id)],
    });
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
    await this.auditMany(manager, [{ inquiryId, action, actor, reason, details }]);
  }

  async auditMany(
    manager: EntityManager,
    entries: { inquiryId: string; action: string; actor: string; reason: string | null; details?: Record<string, unknown> }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => ({ inquiry_id: e.inquiryId, action: e.action, actor: e.actor, reason: e.reason, details: e.details ?? {} }));
    await writeBehind(manager, {
      text: `INSERT INTO case_audit (inquiry_id, action, actor, reason, details)
       SELECT inquiry_id, action, actor, reason, details
       FROM jsonb_to_recordset($1::jsonb) AS x(inquiry_id text, action text, actor text, reason text, details jsonb)`,
      values: [JSON.stringify(rows)],
    });
  }

  /** Whether the case's latest audit entry is this one, made within `withinSec`: the same request repeated. */
  async lastAuditIs(manager: EntityManager, inquiryId: string, entry: { action: string; actor: string; reason: string }, withinSec: number): Promise<boolean> {
    const rows: { same: boolean }[] = await manager.query(
      `SELECT (action = $2 AND actor = $3 AND reason IS NOT DISTINCT FROM $4 AND at > now() - make_interval(secs => $5)) AS same
         FROM case_audit WHERE inquiry_id = $1 ORDER BY id DESC LIMIT 1`,
      [inquiryId, entry.action, entry.actor, entry.reason, withinSec],
    );
    return rows[0]?.same ?? false;
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

  /**
   * The newest `perArea` open cases of the last 30 days in each area, except `excluded`, for the duplicate check.
   * The exclusion is applied here, not in SQL: `inquiry_id <> ALL($n)` over a batch of 200 ids compared every
   * scanned row with each of them (33 ms a call under load); reading `excluded.length` more rows per area is cheaper.
   */
  async recentOpenInAreas(
    manager: EntityManager,
    areas: string[],
    since: Date,
    excluded: string[],
    perArea: number,
  ): Promise<{ inquiryId: string; area: string }[]> {
    if (areas.length === 0) return [];
    const rows: { inquiryId: string; area: string }[] = await manager.query(
      `SELECT inquiry_id AS "inquiryId", area FROM unnest($1::text[]) AS a(name)
       CROSS JOIN LATERAL (
         SELECT inquiry_id, area FROM cases
         WHERE area = a.name AND received_at >= $2 AND status NOT IN ('rejected', 'merged', 'closed')
         ORDER BY received_at DESC LIMIT $3) recent`,
      [areas, since, perArea + excluded.length],
    );
    const skip = new Set(excluded);
    const kept = new Map<string, number>();
    return rows.filter((r) => {
      const taken = kept.get(r.area) ?? 0;
      if (skip.has(r.inquiryId) || taken >= perArea) return false;
      kept.set(r.area, taken + 1);
      return true;
    });
  }

  /** Open cases of the last 30 days in one area with their texts (the desk's duplicate candidates). */
  async recentOpenInArea(
    manager: EntityManager,
    inquiryId: string,
    area: string,
    since: Date,
  ): Promise<{ inquiryId: string; title: string | null; content: string }[]> {
    const recent = await this.recentOpenInAreas(manager, [area], since, [inquiryId], 500);
    return this.texts(manager, recent.map((r) => r.inquiryId));
  }

  async texts(manager: EntityManager, inquiryIds: string[]): Promise<{ inquiryId: string; title: string | null; content: string }[]> {
    if (inquiryIds.length === 0) return [];
    return manager.query(`SELECT inquiry_id AS "inquiryId", title, content FROM cases WHERE inquiry_id = ANY($1::text[])`, [inquiryIds]);
  }
}
