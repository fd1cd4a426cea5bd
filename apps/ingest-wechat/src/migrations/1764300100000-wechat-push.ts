import type { MigrationInterface, QueryRunner } from 'typeorm';
import { channelPushTablesSql } from '@app/common/channel/channel-push.repository.js';

export class WechatPush1764300100000 implements MigrationInterface {
  name = 'WechatPush1764300100000';

  async up(q: QueryRunner): Promise<void> {
    // One row per push that was acted on: the de-duplication key (MsgId, or FromUserName+CreateTime+Event) and
    // the reply given, so a retry of the same push gets the same answer and no second effect; and media jobs.
    for (const sql of channelPushTablesSql('wechat')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE wechat_media_jobs`);
    await q.query(`DROP TABLE wechat_inbound`);
  }
}
