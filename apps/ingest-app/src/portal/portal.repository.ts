import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface PublicCaseRow {
  inquiry_id: string;
  tracking_no: string | null;
  public_title: string | null;
  public_content: string | null;
  public_reply: string | null;
  category: string | null;
  area: string | null;
  unit_id: string | null;
  unit_name: string | null;
  status: string;
  received_at: Date | null;
  replied_at: Date;
  reply_on_time: boolean | null;
  rating: string | null;
  page_views: string;
  approved_photos: string[];
}

export interface PortalSearch {
  words?: string;
  unitId?: string;
  category?: string;
  county?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

export interface FiguresRow {
  unit_id?: string;
  unit_name?: string;
  received: number;
  replied: number;
  on_time: number;
  rated: number;
  satisfied: number;
}

/** A case is published once it has an official reply, unless it was rejected or merged into another. */
const PUBLISHED = `v.replied_at IS NOT NULL AND v.status NOT IN ('rejected', 'merged')`;
const COLUMNS = `v.inquiry_id, v.tracking_no, v.public_title, v.public_content, v.public_reply, v.category, v.area, v.unit_id,
  v.unit_name, v.status, v.received_at, v.replied_at, v.reply_on_time, v.rating, v.page_views, v.approved_photos`;
const FIGURES = `count(*)::int AS received,
  count(*) FILTER (WHERE replied_at IS NOT NULL)::int AS replied,
  count(*) FILTER (WHERE reply_on_time)::int AS on_time,
  count(*) FILTER (WHERE rating IS NOT NULL)::int AS rated,
  count(*) FILTER (WHERE rating IN ('满意', '基本满意'))::int AS satisfied`;

const likePattern = (words: string): string => `%${words.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Reads of the public portal: only the masked columns of the read model, never `inquiries`. */
@Injectable()
export class PortalRepository {
  constructor(private readonly db: DataSource) {}

  async search(s: PortalSearch): Promise<{ rows: PublicCaseRow[]; total: number }> {
    const where = `${PUBLISHED}
      AND ($1::text IS NULL OR v.public_title ILIKE $1 OR v.public_content ILIKE $1 OR v.public_reply ILIKE $1)
      AND ($2::text IS NULL OR v.unit_id = $2) AND ($3::text IS NULL OR v.category = $3) AND ($4::text IS NULL OR v.area = $4)
      AND ($5::timestamptz IS NULL OR v.received_at >= $5) AND ($6::timestamptz IS NULL OR v.received_at < $6)`;
    const params = [s.words ? likePattern(s.words) : null, s.unitId ?? null, s.category ?? null, s.county ?? null, s.from ?? null, s.to ?? null];
    const rows: PublicCaseRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM case_views v WHERE ${where} ORDER BY v.replied_at DESC, v.inquiry_id LIMIT $7 OFFSET $8`,
      [...params, s.limit, s.offset],
    );
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM case_views v WHERE ${where}`, params);
    return { rows, total };
  }

  /** The published case, counting this view. */
  async viewCase(inquiryId: string): Promise<PublicCaseRow | undefined> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [[row]] = await this.db.query(
      `UPDATE case_views v SET page_views = page_views + 1 WHERE v.inquiry_id = $1 AND ${PUBLISHED} RETURNING ${COLUMNS}`,
      [inquiryId],
    );
    return row as PublicCaseRow | undefined;
  }

  /** Thumbnail and photo keys of the citizen's photos, as submitted (the read model lists the approved ones). */
  async submittedPhotos(inquiryId: string): Promise<{ objectKey: string; thumbnailKey?: string; kind: string }[]> {
    const [row] = await this.db.query('SELECT attachments FROM inquiries WHERE inquiry_id = $1', [inquiryId]);
    return (row as { attachments: { objectKey: string; thumbnailKey?: string; kind: string }[] } | undefined)?.attachments ?? [];
  }

  async isPublishedPhoto(objectKey: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM case_views v WHERE v.approved_photos ? $1 AND ${PUBLISHED} LIMIT 1`, [objectKey]);
    return rows.length > 0;
  }

  async countPageView(): Promise<void> {
    await this.db.query(
      `INSERT INTO portal_counters (name, value) VALUES ('page_views', 1) ON CONFLICT (name) DO UPDATE SET value = portal_counters.value + 1`,
    );
  }

  async pageViews(): Promise<number> {
    const [row] = await this.db.query(`SELECT value FROM portal_counters WHERE name = 'page_views'`);
    return Number((row as { value: string } | undefined)?.value ?? 0);
  }

  async cityFigures(): Promise<FiguresRow> {
    const [row] = await this.db.query(`SELECT ${FIGURES} FROM case_views WHERE received_at IS NOT NULL AND status NOT IN ('rejected', 'merged')`);
    return row as FiguresRow;
  }

  async unitFigures(): Promise<FiguresRow[]> {
    return this.db.query(
      `SELECT unit_id, max(unit_name) AS unit_name, ${FIGURES} FROM case_views
        WHERE unit_id IS NOT NULL AND status NOT IN ('rejected', 'merged') GROUP BY unit_id ORDER BY received DESC, unit_id`,
    );
  }
}
