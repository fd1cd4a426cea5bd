import type { EntityManager } from 'typeorm';

export interface MediaJob {
  id: string;
  item_id: string;
  account: string;
  media_id: string;
  media_kind: 'photo' | 'video' | 'voice';
  attempts: number;
}

/** The media jobs of one channel app (`<prefix>_media_jobs`, created by `channelPushTablesSql`). */
export class ChannelMediaRepository {
  private readonly table: string;

  constructor(prefix: string) {
    if (!/^[a-z][a-z0-9]{1,20}$/.test(prefix)) throw new Error(`invalid channel table prefix: ${prefix}`);
    this.table = `${prefix}_media_jobs`;
  }

  /** Claims due jobs with a lease, so a crashed worker's job comes back after `leaseSec`. */
  async claim(m: Pick<EntityManager, 'query'>, limit: number, leaseSec: number): Promise<MediaJob[]> {
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, rowCount].
    const [rows]: [MediaJob[], number] = await m.query(
      `UPDATE ${this.table} SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
        WHERE id IN (SELECT id FROM ${this.table} WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, item_id, account, media_id, media_kind, attempts`,
      [limit, leaseSec],
    );
    return rows.map((r) => ({ ...r, id: String(r.id) }));
  }

  async finish(m: EntityManager, id: string, status: 'done' | 'failed', error?: string): Promise<void> {
    await m.query(`UPDATE ${this.table} SET status = $2, last_error = $3 WHERE id = $1`, [id, status, error ?? null]);
  }

  async retryLater(m: Pick<EntityManager, 'query'>, id: string, delayMs: number, error: string): Promise<void> {
    await m.query(`UPDATE ${this.table} SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1`, [
      id,
      delayMs / 1000,
      error,
    ]);
  }
}
