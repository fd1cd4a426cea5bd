import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface ClockRow {
  inquiryId: string;
  trackingNo: string | null;
  title: string | null;
  unitId: string | null;
  unitName: string | null;
  clock: 'accept' | 'reply';
  deadline: Date;
}

export interface RawStats {
  unitId: string | null;
  unitName: string | null;
  received: number;
  acceptedOnTime: number;
  replied: number;
  repliedOnTime: number;
  avgWorkingHoursToReply: number | null;
  rated: number;
  satisfied: number;
  reopened: number;
  brushOffs: number;
}

/** Read-only queries of the supervision body (纪委). The cohort is the cases assigned in the period. */
@Injectable()
export class SupervisionRepository {
  async openClocks(manager: EntityManager, from: Date | null, to: Date): Promise<ClockRow[]> {
    return manager.query(
      `SELECT d.inquiry_id AS "inquiryId", c.tracking_no AS "trackingNo", c.title, c.unit_id AS "unitId",
              c.unit_name AS "unitName", d.clock, d.due_at AS deadline
       FROM deadlines d JOIN cases c USING (inquiry_id)
       WHERE d.clock IN ('accept', 'reply') AND d.met_at IS NULL AND NOT d.cancelled
         AND d.due_at <= $2 AND ($1::timestamptz IS NULL OR d.due_at > $1)
       ORDER BY d.due_at LIMIT 5000`,
      [from, to],
    );
  }

  /** Right now, city-wide: cases with a unit clock running, and how many of those are past it. */
  async current(manager: EntityManager): Promise<{ open: number; overdue: number }> {
    const [row] = await manager.query(
      `SELECT count(DISTINCT inquiry_id)::int AS open, count(DISTINCT inquiry_id) FILTER (WHERE due_at < now())::int AS overdue
       FROM deadlines WHERE clock IN ('accept', 'reply') AND met_at IS NULL AND NOT cancelled`,
    );
    return row;
  }

  /** Per unit when `byUnit`, else one city-wide row. */
  async stats(manager: EntityManager, from: Date, to: Date, byUnit: boolean): Promise<RawStats[]> {
    const key = byUnit ? `c.unit_id` : `NULL::text`;
    const name = byUnit ? `max(c.unit_name)` : `NULL::text`;
    return manager.query(
      `WITH cohort AS (
         SELECT * FROM cases c WHERE c.assigned_at >= $1 AND c.assigned_at < $2 AND c.unit_id IS NOT NULL
       ), flagged AS (
         SELECT ${byUnit ? 'r.unit_id' : 'NULL::text'} AS unit_id, count(*)::int AS n FROM case_replies r
         WHERE r.at >= $1 AND r.at < $2 AND jsonb_array_length(r.flags) > 0 AND r.flag_review IS DISTINCT FROM 'accepted'
         GROUP BY 1
       )
       SELECT ${key} AS "unitId", ${name} AS "unitName",
              count(*)::int AS received,
              count(*) FILTER (WHERE c.accepted_on_time)::int AS "acceptedOnTime",
              count(*) FILTER (WHERE c.replied_at IS NOT NULL)::int AS replied,
              count(*) FILTER (WHERE c.replied_on_time)::int AS "repliedOnTime",
              round(avg(c.reply_working_hours)::numeric, 1)::float AS "avgWorkingHoursToReply",
              count(*) FILTER (WHERE c.rating IS NOT NULL)::int AS rated,
              count(*) FILTER (WHERE c.rating IN ('满意', '基本满意'))::int AS satisfied,
              count(*) FILTER (WHERE c.reopen_count > 0)::int AS reopened,
              coalesce(max(f.n), 0)::int AS "brushOffs"
       FROM cohort c LEFT JOIN flagged f ON f.unit_id IS NOT DISTINCT FROM ${key}
       GROUP BY ${byUnit ? 'c.unit_id' : '1'}
       ORDER BY 1`,
      [from, to],
    );
  }
}
