import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class PushRepository {
  /** The push's earlier answer when it was seen before (a WeChat retry, possibly to another instance). */
  async seen(m: EntityManager, account: string, dedupKey: string): Promise<{ reply: string | null } | undefined> {
    const [row] = await m.query(`SELECT reply FROM wechat_inbound WHERE account = $1 AND dedup_key = $2`, [account, dedupKey]);
    return row;
  }

  /** Records the push and its answer; false when the key is already there (the caller's lock should prevent it). */
  async record(m: EntityManager, account: string, dedupKey: string, msgType: string, reply: string | null): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO wechat_inbound (account, dedup_key, msg_type, reply) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
      [account, dedupKey, msgType, reply],
    );
    return rows.length > 0;
  }

  async enqueueMedia(m: EntityManager, jobs: { itemId: string; account: string; vendorMediaId: string; media: string }[]): Promise<void> {
    for (const job of jobs) {
      await m.query(`INSERT INTO wechat_media_jobs (item_id, account, media_id, media_kind) VALUES ($1, $2, $3, $4)`, [
        job.itemId,
        job.account,
        job.vendorMediaId,
        job.media,
      ]);
    }
  }

  /** WeChat retries within about 15 s; a week of keys is ample. */
  async prune(m: Pick<EntityManager, 'query'>, days = 7): Promise<void> {
    await m.query(`DELETE FROM wechat_inbound WHERE received_at < now() - make_interval(days => $1)`, [days]);
  }
}
