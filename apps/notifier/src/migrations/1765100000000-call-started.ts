import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the vendor call of a WeChat or Weibo delivery began (set just before it, reset by every claim). A lease
 * that expires without it was claimed but never sent, so recovery sends it instead of calling it `uncertain`.
 */
export class DeliveryCallStarted1765100000000 implements MigrationInterface {
  name = 'DeliveryCallStarted1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ADD COLUMN call_started_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries DROP COLUMN call_started_at`);
  }
}
