import type { EntityManager } from 'typeorm';
import type { MediaRequest } from '../conversation/conversation.service.js';

const PREFIX = /^[a-z][a-z0-9]{1,20}$/;

/**
 * The tables a channel app's push migration creates: `<prefix>_inbound` (one row per push acted on: the
 * de-duplication key and the answer given) and `<prefix>_media_jobs` (downloads still to do).
 */
export function channelPushTablesSql(prefix: string): string[] {
  if (!PREFIX.test(prefix)) throw new Error(`invalid channel table prefix: ${prefix}`);
  return [
    `CREATE TABLE ${prefix}_inbound (
        account     text NOT NULL,
        dedup_key   text NOT NULL,
        msg_type    text NOT NULL,
        reply       text,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account, dedup_key)
      )`,
    `CREATE INDEX ${prefix}_inbound_received_idx ON ${prefix}_inbound (received_at)`,
    `CREATE TABLE ${prefix}_media_jobs (
        id              bigserial PRIMARY KEY,
        item_id         text NOT NULL UNIQUE,
        account         text NOT NULL,
        media_id        text NOT NULL,
        media_kind      text NOT NULL,
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
        attempts        int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`,
    `CREATE INDEX ${prefix}_media_jobs_due_idx ON ${prefix}_media_jobs (next_attempt_at) WHERE status = 'pending'`,
  ];
}

/** The push log of one channel app (`<prefix>_inbound`, `<prefix>_media_jobs`); calls run in the caller's transaction. */
export class ChannelPushRepository {
  private readonly inbound: string;
  private readonly jobs: string;

  constructor(prefix: string) {
    if (!PREFIX.test(prefix)) throw new Error(`invalid channel table prefix: ${prefix}`);
    this.inbound = `${prefix}_inbound`;
    this.jobs = `${prefix}_media_jobs`;
  }

  /** The push's earlier answer when it was seen before (a vendor retry, possibly to another instance). */
  async seen(m: EntityManager, account: string, dedupKey: string): Promise<{ reply: string | null } | undefined> {
    const [row] = await m.query(`SELECT reply FROM ${this.inbound} WHERE account = $1 AND dedup_key = $2`, [account, dedupKey]);
    return row;
  }

  /** Records the push and its answer; false when the key is already there (the caller's lock should prevent it). */
  async record(m: EntityManager, account: string, dedupKey: string, msgType: string, reply: string | null): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO ${this.inbound} (account, dedup_key, msg_type, reply) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
      [account, dedupKey, msgType, reply],
    );
    return rows.length > 0;
  }

  async enqueueMedia(m: EntityManager, jobs: MediaRequest[]): Promise<void> {
    for (const job of jobs) {
      await m.query(`INSERT INTO ${this.jobs} (item_id, account, media_id, media_kind) VALUES ($1, $2, $3, $4)`, [
        job.itemId,
        job.account,
        job.vendorMediaId,
        job.media,
      ]);
    }
  }

  /** Vendors retry within about 15 s; a week of keys is ample. */
  async prune(m: Pick<EntityManager, 'query'>, days = 7): Promise<void> {
    await m.query(`DELETE FROM ${this.inbound} WHERE received_at < now() - make_interval(days => $1)`, [days]);
  }
}
