import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AgencyListQuery } from './agency.dto.js';

const SUMMARY = `c.inquiry_id AS "inquiryId", c.tracking_no AS "trackingNo", c.title, c.status,
  CASE WHEN c.unit_id = $1 THEN 'lead' ELSE 'co' END AS role, c.received_at AS "receivedAt", c.assigned_at AS "assignedAt",
  a.due_at AS "acceptDeadline", r.due_at AS "replyDeadline", c.accepted_at AS "acceptedAt", c.replied_at AS "repliedAt",
  ((a.met_at IS NULL AND NOT a.cancelled AND a.due_at < now()) OR (r.met_at IS NULL AND NOT r.cancelled AND r.due_at < now())) AS overdue`;

const JOINS = `FROM cases c
  LEFT JOIN deadlines a ON a.inquiry_id = c.inquiry_id AND a.clock = 'accept'
  LEFT JOIN deadlines r ON r.inquiry_id = c.inquiry_id AND r.clock = 'reply'`;

/** Reads for the agency API; every query is scoped to the caller's unit (lead or co-handling). */
@Injectable()
export class AgencyRepository {
  async list(manager: EntityManager, unitId: string, q: AgencyListQuery, dueSoonBy: Date) {
    const where = [`(c.unit_id = $1 OR c.co_unit_ids ? $1)`];
    const params: unknown[] = [unitId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.status) add(`c.status = ?`, q.status);
    if (q.role === 'lead') where.push(`c.unit_id = $1`);
    if (q.role === 'co') where.push(`c.unit_id <> $1`);
    if (q.q) {
      params.push(`%${q.q}%`, q.q);
      where.push(`(c.title ILIKE $${params.length - 1} OR c.content ILIKE $${params.length - 1} OR c.tracking_no = $${params.length})`);
    }
    const open = (d: string) => `(${d}.met_at IS NULL AND NOT ${d}.cancelled)`;
    if (q.clock === 'overdue') where.push(`((${open('a')} AND a.due_at < now()) OR (${open('r')} AND r.due_at < now()))`);
    if (q.clock === 'due_soon') {
      params.push(dueSoonBy);
      const by = `$${params.length}`;
      where.push(`((${open('a')} AND a.due_at BETWEEN now() AND ${by}) OR (${open('r')} AND r.due_at BETWEEN now() AND ${by}))`);
    }
    const filter = where.join(' AND ');
    const [{ total }] = await manager.query(`SELECT count(*)::int AS total ${JOINS} WHERE ${filter}`, params);
    const items = await manager.query(
      `SELECT ${SUMMARY} ${JOINS} WHERE ${filter} ORDER BY c.assigned_at DESC NULLS LAST, c.inquiry_id
       LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return { items, total: total as number, page: q.page, pageSize: q.pageSize };
  }

  async detail(manager: EntityManager, unitId: string, inquiryId: string) {
    const rows = await manager.query(
      `SELECT ${SUMMARY}, c.content, c.area, c.place, c.topic, c.unit_id AS "unitId", c.unit_name AS "unitName",
              c.co_unit_ids AS "coUnitIds", c.ext_days AS "extDays", c.ext_reason AS "extReason",
              c.ext_requested_at AS "extRequestedAt", c.ext_decision AS "extDecision"
       ${JOINS} WHERE c.inquiry_id = $2 AND (c.unit_id = $1 OR c.co_unit_ids ? $1)`,
      [unitId, inquiryId],
    );
    if (!rows[0]) return undefined;
    const replies = await manager.query(
      `SELECT unit_id AS "unitId", text, attachments, at, on_time AS "onTime", jsonb_array_length(flags) > 0 AS flagged, final
       FROM case_replies WHERE inquiry_id = $1 ORDER BY id`,
      [inquiryId],
    );
    // A co-handling unit sees its own notes; the lead unit sees every unit's notes.
    const notes = await manager.query(
      `SELECT id::int AS id, author, text, at FROM case_notes WHERE inquiry_id = $1 AND (unit_id = $2 OR $3) ORDER BY id`,
      [inquiryId, unitId, rows[0].role === 'lead'],
    );
    const { extDays, extReason, extRequestedAt, extDecision, ...c } = rows[0];
    const extension = extDays ? { workingDays: extDays, reason: extReason, requestedAt: extRequestedAt, decision: extDecision } : null;
    return { ...c, replies, notes, extension };
  }
}
