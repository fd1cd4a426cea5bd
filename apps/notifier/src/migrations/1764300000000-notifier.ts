import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notifier's read models (fed by events: apps meet only in topics), its persisted send queue and the
 * shared WeChat access_token.
 */
export class Notifier1764300000000 implements MigrationInterface {
  name = 'Notifier1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE case_contacts (
        inquiry_id        text PRIMARY KEY,
        tracking_no       text,
        title             text,
        content           text,
        received_at       timestamptz,
        attachments       jsonb NOT NULL DEFAULT '[]',
        citizen_channel   text,
        citizen_ref       text,
        weibo_status_id   text,
        weibo_comment_id  text,
        unit_id           text,
        unit_name         text,
        reply_deadline    timestamptz,
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE unit_contacts (
        unit_id             text PRIMARY KEY,
        unit_name           text NOT NULL,
        emails              text[] NOT NULL DEFAULT '{}',
        webhook_url         text,
        webhook_secret      text,
        prefer              text NOT NULL DEFAULT 'email',
        webhook_failures    int NOT NULL DEFAULT 0,
        webhook_disabled_at timestamptz,
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE citizen_windows (
        channel          text NOT NULL,
        external_user_id text NOT NULL,
        last_activity_at timestamptz NOT NULL,
        kind             text NOT NULL,
        sent_in_window   int NOT NULL DEFAULT 0,
        PRIMARY KEY (channel, external_user_id)
      )`);
    await q.query(`
      CREATE TABLE deliveries (
        id               bigserial PRIMARY KEY,
        idempotency_key  text NOT NULL UNIQUE,
        message_id       text NOT NULL UNIQUE,
        inquiry_id       text,
        channel          text NOT NULL,
        purpose          text NOT NULL,
        recipient        text NOT NULL,
        message          jsonb NOT NULL,
        status           text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sending', 'sent', 'dead', 'cancelled', 'uncertain')),
        attempts         int NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        lease_until      timestamptz,
        vendor_ref       text,
        mode             text,
        waiting_window   boolean NOT NULL DEFAULT false,
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        sent_at          timestamptz
      )`);
    await q.query(`CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX deliveries_lease_idx ON deliveries (lease_until) WHERE status = 'sending'`);
    await q.query(`CREATE INDEX deliveries_inquiry_idx ON deliveries (inquiry_id, purpose)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP TABLE citizen_windows`);
    await q.query(`DROP TABLE unit_contacts`);
    await q.query(`DROP TABLE case_contacts`);
  }
}
