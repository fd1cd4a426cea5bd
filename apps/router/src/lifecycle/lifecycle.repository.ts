import { Injectable } from '@nestjs/common';
import type { Attachment } from '@app/common';
import type { EntityManager } from 'typeorm';

export interface LifecycleCase {
  inquiryId: string;
  trackingNo: string | null;
  citizenChannel: string;
  citizenRef: string;
  status: string;
  unitId: string | null;
  unitName: string | null;
  coUnitIds: string[];
  assignedAt: Date | null;
  acceptedAt: Date | null;
  repliedAt: Date | null;
  extDays: number | null;
  statusBeforeExt: string | null;
}

const COLUMNS = `inquiry_id AS "inquiryId", tracking_no AS "trackingNo", citizen_channel AS "citizenChannel",
  citizen_ref AS "citizenRef", status, unit_id AS "unitId", unit_name AS "unitName", co_unit_ids AS "coUnitIds",
  assigned_at AS "assignedAt", accepted_at AS "acceptedAt", replied_at AS "repliedAt", ext_days AS "extDays",
  status_before_ext AS "statusBeforeExt"`;

/** The lifecycle's writes to `cases`, `case_replies` and `case_notes`. */
@Injectable()
export class LifecycleRepository {
  async lock(manager: EntityManager, inquiryId: string): Promise<LifecycleCase | undefined> {
    const rows: LifecycleCase[] = await manager.query(`SELECT ${COLUMNS} FROM cases WHERE inquiry_id = $1 FOR UPDATE`, [inquiryId]);
    return rows[0];
  }

  /** Sets the status and any of the lifecycle columns given (column names are fixed by the callers). */
  async update(manager: EntityManager, inquiryId: string, status: string, columns: Record<string, unknown> = {}): Promise<void> {
    const names = Object.keys(columns);
    const sets = names.map((n, i) => `${n} = $${i + 3}`);
    await manager.query(
      `UPDATE cases SET status = $2, ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')} WHERE inquiry_id = $1`,
      [inquiryId, status, ...names.map((n) => columns[n])],
    );
  }

  async addReply(
    manager: EntityManager,
    r: { inquiryId: string; unitId: string; final: boolean; text: string; attachments: Attachment[]; onTime: boolean; flags: string[]; author: string; at: Date },
  ): Promise<number> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO case_replies (inquiry_id, unit_id, final, text, attachments, on_time, flags, author, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [r.inquiryId, r.unitId, r.final, r.text, JSON.stringify(r.attachments), r.onTime, JSON.stringify(r.flags), r.author, r.at],
    );
    return Number(rows[0]!.id);
  }

  async reviewFlags(manager: EntityManager, inquiryId: string, review: string): Promise<number> {
    const rows: unknown[] = await manager.query(
      `WITH u AS (UPDATE case_replies SET flag_review = $2
         WHERE inquiry_id = $1 AND jsonb_array_length(flags) > 0 AND flag_review IS NULL RETURNING 1) SELECT * FROM u`,
      [inquiryId, review],
    );
    return rows.length;
  }

  async addNote(manager: EntityManager, inquiryId: string, unitId: string | null, author: string, text: string): Promise<{ id: number; at: Date }> {
    const rows: { id: string; at: Date }[] = await manager.query(
      `INSERT INTO case_notes (inquiry_id, unit_id, author, text) VALUES ($1, $2, $3, $4) RETURNING id, at`,
      [inquiryId, unitId, author, text],
    );
    return { id: Number(rows[0]!.id), at: rows[0]!.at };
  }
}

/** What waits for a desk decision (read side of the desk's decisions screen). */
@Injectable()
export class DecisionQueueRepository {
  async pending(manager: EntityManager) {
    const cols = `inquiry_id AS "inquiryId", tracking_no AS "trackingNo", title, status, unit_id AS "unitId", unit_name AS "unitName", updated_at AS "updatedAt"`;
    const [returned, extensions, reopenRequests, flaggedReplies] = await Promise.all([
      manager.query(`SELECT ${cols}, return_reason AS reason FROM cases WHERE status = 'returned' ORDER BY updated_at`),
      manager.query(
        `SELECT ${cols}, ext_days AS "workingDays", ext_reason AS reason, ext_requested_at AS "requestedAt"
         FROM cases WHERE status = 'extension_requested' ORDER BY ext_requested_at`,
      ),
      manager.query(`SELECT ${cols}, rating FROM cases WHERE status = 'rated' ORDER BY rated_at`),
      manager.query(
        `SELECT r.inquiry_id AS "inquiryId", r.unit_id AS "unitId", r.text, r.flags, r.at, c.status
         FROM case_replies r JOIN cases c USING (inquiry_id)
         WHERE jsonb_array_length(r.flags) > 0 AND r.flag_review IS NULL ORDER BY r.id`,
      ),
    ]);
    return { returned, extensions, reopenRequests, flaggedReplies };
  }
}
