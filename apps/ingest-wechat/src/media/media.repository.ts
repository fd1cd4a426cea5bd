import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface MediaJob {
  id: string;
  item_id: string;
  account: string;
  media_id: string;
  media_kind: 'photo' | 'video' | 'voice';
  attempts: number;
}

@Injectable()
export class MediaRepository {
  /** Claims due jobs with a lease, so a crashed worker's job comes back after `leaseSec`. */
  async claim(m: Pick<EntityManager, 'query'>, limit: number, leaseSec: number): Promise<MediaJob[]> {
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, rowCount].
    const [rows]: [MediaJob[], number] = await m.query(
      `UPDATE wechat_media_jobs SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
        WHERE id IN (SELECT id FROM wechat_media_jobs WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, item_id, account, media_id, media_kind, attempts`,
      [limit, leaseSec],
    );
    return rows.map((r) => ({ ...r, id: String(r.id) }));
  }

  async finish(m: EntityManager, id: string, status: 'done' | 'failed', error?: string): Promise<void> {
    await m.query(`UPDATE wechat_media_jobs SET status = $2, last_error = $3 WHERE id = $1`, [id, status, error ?? null]);
  }

  async retryLater(m: Pick<EntityManager, 'query'>, id: string, delayMs: number, error: string): Promise<void> {
    await m.query(
      `UPDATE wechat_media_jobs SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1`,
      [id, delayMs / 1000, error],
    );
  }
}
