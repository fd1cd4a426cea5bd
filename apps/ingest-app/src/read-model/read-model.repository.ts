import { Injectable } from '@nestjs/common';
import { writeBehind } from '@app/common';
import type { EntityManager } from 'typeorm';

export interface TimelineEntry {
  eventId: string;
  inquiryId: string;
  type: string;
  at: string;
  detail: object;
}

/**
 * Writes of the citizen read model (`case_views`, `case_timeline`); the only writer of those tables. Its writes are
 * written behind (`writeBehind`): a consumer batch sends them with its next read or its COMMIT.
 */
@Injectable()
export class ReadModelRepository {
  /** Sets columns of a case's view, creating the row if this is the first event seen for the case. */
  async update(manager: EntityManager, inquiryId: string, changes: Record<string, unknown>): Promise<void> {
    await this.updateMany(manager, [[inquiryId, changes]]);
  }

  /**
   * `update` for several cases (each at most once): one statement per set of columns changed, the rows read from
   * JSON with the table's own column types.
   */
  async updateMany(manager: EntityManager, views: [inquiryId: string, changes: Record<string, unknown>][]): Promise<void> {
    const byColumns = new Map<string, Record<string, unknown>[]>();
    for (const [inquiryId, changes] of views) {
      const key = Object.keys(changes).sort().join(',');
      const rows = byColumns.get(key) ?? byColumns.set(key, []).get(key)!;
      rows.push({ ...changes, inquiry_id: inquiryId });
    }
    for (const [key, rows] of byColumns) {
      const columns = key ? key.split(',') : [];
      const all = ['inquiry_id', ...columns].join(', ');
      const updates = [...columns.map((c) => `${c} = EXCLUDED.${c}`), 'updated_at = now()'].join(', ');
      await writeBehind(manager, {
        text: `INSERT INTO case_views (${all}) SELECT ${all} FROM jsonb_populate_recordset(NULL::case_views, $1::jsonb)
               ON CONFLICT (inquiry_id) DO UPDATE SET ${updates}`,
        values: [JSON.stringify(rows)],
      });
    }
  }

  /** Whether the citizen asked to be anonymous (app submissions); other channels' cases count as anonymous. */
  async anonymity(manager: EntityManager, inquiryId: string): Promise<boolean> {
    return (await this.anonymities(manager, [inquiryId])).get(inquiryId) ?? true;
  }

  /** Whether each inquiry submitted here asked to stay anonymous, in one statement; other channels' are absent. */
  async anonymities(manager: EntityManager, inquiryIds: string[]): Promise<Map<string, boolean>> {
    if (inquiryIds.length === 0) return new Map();
    const rows: { inquiry_id: string; anonymous: boolean }[] = await manager.query(
      'SELECT inquiry_id, anonymous FROM inquiries WHERE inquiry_id = ANY($1::text[])',
      [inquiryIds],
    );
    return new Map(rows.map((r) => [r.inquiry_id, r.anonymous]));
  }

  async question(manager: EntityManager, inquiryId: string): Promise<string> {
    const [row] = await manager.query('SELECT content FROM case_views WHERE inquiry_id = $1', [inquiryId]);
    return (row as { content: string | null } | undefined)?.content ?? '';
  }

  async addPhotos(manager: EntityManager, inquiryId: string, objectKeys: string[]): Promise<void> {
    await writeBehind(manager, {
      text: `INSERT INTO case_views (inquiry_id, approved_photos) VALUES ($1, $2::jsonb)
       ON CONFLICT (inquiry_id) DO UPDATE SET
         approved_photos = (SELECT coalesce(jsonb_agg(DISTINCT k), '[]') FROM jsonb_array_elements_text(case_views.approved_photos || $2::jsonb) k),
         updated_at = now()`,
      values: [inquiryId, JSON.stringify(objectKeys)],
    });
  }

  async removePhotos(manager: EntityManager, inquiryId: string, objectKeys: string[]): Promise<void> {
    await writeBehind(manager, {
      text: `UPDATE case_views SET
         approved_photos = (SELECT coalesce(jsonb_agg(k), '[]') FROM jsonb_array_elements_text(approved_photos) k WHERE NOT (k = ANY($2))),
         updated_at = now()
       WHERE inquiry_id = $1`,
      values: [inquiryId, objectKeys],
    });
  }

  /** The entries in one statement; an entry already recorded (same event) is skipped. */
  async addTimeline(manager: EntityManager, entries: TimelineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await writeBehind(manager, {
      text: `INSERT INTO case_timeline (event_id, inquiry_id, type, at, detail)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) ON CONFLICT DO NOTHING`,
      values: [
        entries.map((e) => e.eventId),
        entries.map((e) => e.inquiryId),
        entries.map((e) => e.type),
        entries.map((e) => e.at),
        entries.map((e) => JSON.stringify(e.detail)),
      ],
    });
  }
}
