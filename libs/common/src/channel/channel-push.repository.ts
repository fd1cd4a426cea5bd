import type { EntityManager } from 'typeorm';
import type { MediaRequest } from '../conversation/conversation.service.js';
import { writeBehind } from '../database/opened-transaction.js';
import type { Statement } from '../database/pipeline.js';

const PREFIX = /^[a-z][a-z0-9]{1,20}$/;

/** One push acted on: its de-duplication key and the answer given. */
export interface InboundRecord {
  account: string;
  dedupKey: string;
  msgType: string;
  reply: string | null;
}

/** The key `seen` indexes earlier answers by. */
export const inboundKey = (push: Pick<InboundRecord, 'account' | 'dedupKey'>): string => `${push.account}\n${push.dedupKey}`;

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

  /**
   * Reads the earlier answers of those pushes seen before (vendor retries, possibly to another instance); see
   * `answersFrom`. One primary-key probe per push, whatever the planner thinks of the table: as a join, a plan
   * prepared while the table was small scanned all of it for every batch.
   */
  seen(pushes: Pick<InboundRecord, 'account' | 'dedupKey'>[]): Statement {
    return {
      text: `SELECT i.account, i.dedup_key, i.reply FROM unnest($1::text[], $2::text[]) AS k (account, dedup_key)
              CROSS JOIN LATERAL (SELECT account, dedup_key, reply FROM ${this.inbound} AS t
                                   WHERE t.account = k.account AND t.dedup_key = k.dedup_key LIMIT 1) AS i`,
      values: [pushes.map((p) => p.account), pushes.map((p) => p.dedupKey)],
    };
  }

  /** The rows of `seen`, by `inboundKey`. */
  answersFrom(rows: unknown[]): Map<string, string | null> {
    return new Map(
      (rows as { account: string; dedup_key: string; reply: string | null }[]).map((r) => [
        inboundKey({ account: r.account, dedupKey: r.dedup_key }),
        r.reply,
      ]),
    );
  }

  /** Records the pushes and their answers (`writeBehind`); a key already there fails the transaction. */
  async record(m: EntityManager, pushes: InboundRecord[]): Promise<void> {
    if (pushes.length === 0) return;
    await writeBehind(m, {
      text: `INSERT INTO ${this.inbound} (account, dedup_key, msg_type, reply)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      values: [pushes.map((p) => p.account), pushes.map((p) => p.dedupKey), pushes.map((p) => p.msgType), pushes.map((p) => p.reply)],
    });
  }

  /** Queues the downloads (`writeBehind`). */
  async enqueueMedia(m: EntityManager, jobs: MediaRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    await writeBehind(m, {
      text: `INSERT INTO ${this.jobs} (item_id, account, media_id, media_kind) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      values: [jobs.map((j) => j.itemId), jobs.map((j) => j.account), jobs.map((j) => j.vendorMediaId), jobs.map((j) => j.media)],
    });
  }

  /** Vendors retry within about 15 s; a week of keys is ample. */
  async prune(m: Pick<EntityManager, 'query'>, days = 7): Promise<void> {
    await m.query(`DELETE FROM ${this.inbound} WHERE received_at < now() - make_interval(days => $1)`, [days]);
  }
}
