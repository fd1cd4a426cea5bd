import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The app citizens' in-app notifications (src/notifications), fed by `AppNotificationCreated` on delivery.events.v1. */
export class Notifications1764300600000 implements MigrationInterface {
  name = 'Notifications1764300600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        message_id text PRIMARY KEY,
        account_id text NOT NULL,
        inquiry_id text,
        purpose    text NOT NULL,
        title      text NOT NULL,
        body       text NOT NULL,
        link       text NOT NULL,
        created_at timestamptz NOT NULL,
        read_at    timestamptz
      )`);
    await q.query(`CREATE INDEX notifications_account_idx ON notifications (account_id, created_at DESC)`);
    await q.query(`CREATE INDEX notifications_unread_idx ON notifications (account_id) WHERE read_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
  }
}
