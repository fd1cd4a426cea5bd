import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables every service has in its own schema: the transactional outbox (rule 2) and the record of
 * processed messages that makes consumers idempotent (rule 3).
 */
export class PlatformTables1764201600000 implements MigrationInterface {
  name = 'PlatformTables1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id          bigserial PRIMARY KEY,
        event_id    text NOT NULL UNIQUE,
        topic       text NOT NULL,
        message_key text NOT NULL,
        event_type  text NOT NULL,
        envelope    text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        sent_at     timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL`);
    await q.query(`CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE processed_messages (
        consumer     text NOT NULL,
        message_id   text NOT NULL,
        topic        text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processed_messages`);
    await q.query(`DROP TABLE outbox`);
  }
}
