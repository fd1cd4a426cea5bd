import type { MigrationInterface, QueryRunner } from 'typeorm';
import { accessTokenTableSql } from '@app/common/channel/access-token-store.js';

export class WechatPush1764300100000 implements MigrationInterface {
  name = 'WechatPush1764300100000';

  async up(q: QueryRunner): Promise<void> {
    // One row per push that was acted on: the de-duplication key (MsgId, or FromUserName+CreateTime+Event) and
    // the reply given, so a retry of the same push gets the same answer and no second effect.
    await q.query(`
      CREATE TABLE wechat_inbound (
        account     text NOT NULL,
        dedup_key   text NOT NULL,
        msg_type    text NOT NULL,
        reply       text,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account, dedup_key)
      )`);
    await q.query(`CREATE INDEX wechat_inbound_received_idx ON wechat_inbound (received_at)`);
    await q.query(`
      CREATE TABLE wechat_media_jobs (
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
      )`);
    await q.query(`CREATE INDEX wechat_media_jobs_due_idx ON wechat_media_jobs (next_attempt_at) WHERE status = 'pending'`);
    await q.query(accessTokenTableSql('wechat_access_tokens'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE wechat_access_tokens`);
    await q.query(`DROP TABLE wechat_media_jobs`);
    await q.query(`DROP TABLE wechat_inbound`);
  }
}
