import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface OwnCaseRow {
  inquiry_id: string;
  tracking_no: string;
  account_id: string | null;
  citizen_ref: string;
  type_hint: string | null;
  title: string | null;
  content: string;
  anonymous: boolean;
  attachments: { kind: string; objectKey: string; thumbnailKey?: string }[];
  received_at: Date;
  status: string | null;
  unit_name: string | null;
  reply_text: string | null;
  replied_at: Date | null;
  rating: string | null;
  reply_deadline: Date | null;
}

export interface TimelineRow {
  type: string;
  at: Date;
  detail: Record<string, unknown>;
}

const OWN_CASE = `
  SELECT i.inquiry_id, i.tracking_no, i.account_id, i.citizen_ref, i.type_hint, i.title, i.content, i.anonymous,
         i.attachments, i.received_at, v.status, v.unit_name, v.reply_text, v.replied_at, v.rating, v.reply_deadline
    FROM inquiries i LEFT JOIN case_views v USING (inquiry_id)`;

/** What a citizen reads about their own cases: what they submitted, joined with the read model. */
@Injectable()
export class CasesRepository {
  constructor(private readonly db: DataSource) {}

  async listByAccount(accountId: string, limit: number, offset: number): Promise<{ rows: OwnCaseRow[]; total: number }> {
    const rows: OwnCaseRow[] = await this.db.query(`${OWN_CASE} WHERE i.account_id = $1 ORDER BY i.received_at DESC LIMIT $2 OFFSET $3`, [
      accountId,
      limit,
      offset,
    ]);
    const [{ total }] = await this.db.query('SELECT count(*)::int AS total FROM inquiries WHERE account_id = $1', [accountId]);
    return { rows, total };
  }

  async find(inquiryId: string): Promise<OwnCaseRow | undefined> {
    const [row] = await this.db.query(`${OWN_CASE} WHERE i.inquiry_id = $1`, [inquiryId]);
    return row as OwnCaseRow | undefined;
  }

  async timeline(inquiryId: string): Promise<TimelineRow[]> {
    return this.db.query('SELECT type, at, detail FROM case_timeline WHERE inquiry_id = $1 ORDER BY at, event_id', [inquiryId]);
  }
}
