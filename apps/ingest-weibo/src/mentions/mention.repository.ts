import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type MentionSource = 'status' | 'comment';

/** The polling cursor per account and source (`weibo_mention_cursors`): the newest id acted on. */
@Injectable()
export class MentionRepository {
  async cursor(m: Pick<EntityManager, 'query'>, account: string, source: MentionSource): Promise<string> {
    const [row] = await m.query(`SELECT since_id FROM weibo_mention_cursors WHERE account = $1 AND source = $2`, [account, source]);
    return row?.since_id ?? '0';
  }

  /** Moves the cursor forward only (ids compared as numbers): a slower instance never moves it back. */
  async advance(m: Pick<EntityManager, 'query'>, account: string, source: MentionSource, sinceId: string): Promise<void> {
    await m.query(
      `INSERT INTO weibo_mention_cursors (account, source, since_id) VALUES ($1, $2, $3)
       ON CONFLICT (account, source) DO UPDATE SET since_id = excluded.since_id, updated_at = now()
        WHERE weibo_mention_cursors.since_id::numeric < excluded.since_id::numeric`,
      [account, source, sinceId],
    );
  }
}
