import type { MigrationInterface, QueryRunner } from 'typeorm';
import { channelPushTablesSql } from '@app/common/channel/channel-push.repository.js';

export class WeiboPush1764300200000 implements MigrationInterface {
  name = 'WeiboPush1764300200000';

  async up(q: QueryRunner): Promise<void> {
    // weibo_inbound: one row per push or polled mention acted on (sender+created_at+type+content hash, or
    // mention:<status|comment>:<id>) and the answer given; weibo_media_jobs: msget downloads still to do.
    for (const sql of channelPushTablesSql('weibo')) await q.query(sql);
    await q.query(`
      CREATE TABLE weibo_mention_cursors (
        account    text NOT NULL,
        source     text NOT NULL CHECK (source IN ('status', 'comment')),
        since_id   text NOT NULL CHECK (since_id ~ '^[0-9]{1,20}$'),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account, source)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE weibo_mention_cursors`);
    await q.query(`DROP TABLE weibo_media_jobs`);
    await q.query(`DROP TABLE weibo_inbound`);
  }
}
