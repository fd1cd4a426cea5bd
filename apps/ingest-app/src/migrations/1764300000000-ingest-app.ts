import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts, submitted inquiries and their idempotency keys, and the read model fed by `case.events.v1`. */
export class IngestApp1764300000000 implements MigrationInterface {
  name = 'IngestApp1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        account_id       text PRIMARY KEY,
        phone_hmac       text NOT NULL UNIQUE,
        phone_ciphertext text NOT NULL,
        password_hash    text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash  text PRIMARY KEY,
        account_id  text NOT NULL REFERENCES accounts (account_id),
        expires_at  timestamptz NOT NULL,
        revoked_at  timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refresh_tokens_account_idx ON refresh_tokens (account_id)`);
    await q.query(`CREATE TABLE tracking_counters (day date PRIMARY KEY, last integer NOT NULL)`);
    await q.query(`
      CREATE TABLE inquiries (
        inquiry_id   text PRIMARY KEY,
        tracking_no  text NOT NULL UNIQUE,
        account_id   text REFERENCES accounts (account_id),
        citizen_ref  text NOT NULL,
        type_hint    text,
        title        text,
        content      text NOT NULL,
        location     jsonb,
        anonymous    boolean NOT NULL,
        attachments  jsonb NOT NULL DEFAULT '[]',
        received_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX inquiries_account_idx ON inquiries (account_id, received_at DESC) WHERE account_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        owner         text NOT NULL,
        key           text NOT NULL,
        request_hash  text NOT NULL,
        inquiry_id    text NOT NULL,
        response      jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (owner, key)
      )`);
    await q.query(`
      CREATE TABLE case_views (
        inquiry_id      text PRIMARY KEY,
        tracking_no     text,
        channel         text,
        title           text,
        content         text,
        -- Masked copies (DESIGN "Privacy"): the portal shows and searches only these.
        public_title    text,
        public_content  text,
        public_reply    text,
        status          text NOT NULL DEFAULT 'received',
        category        text,
        area            text,
        unit_id         text,
        unit_name       text,
        reply_deadline  timestamptz,
        reply_text      text,
        replied_at      timestamptz,
        reply_on_time   boolean,
        rating          text,
        rating_comment  text,
        reason          text,
        merged_into     text,
        closed_at       timestamptz,
        received_at     timestamptz,
        approved_photos jsonb NOT NULL DEFAULT '[]',
        page_views      bigint NOT NULL DEFAULT 0,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX case_views_published_idx ON case_views (replied_at DESC) WHERE replied_at IS NOT NULL`);
    await q.query(`CREATE INDEX case_views_unit_idx ON case_views (unit_id)`);
    await q.query(`
      CREATE TABLE case_timeline (
        event_id    text PRIMARY KEY,
        inquiry_id  text NOT NULL,
        type        text NOT NULL,
        at          timestamptz NOT NULL,
        detail      jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX case_timeline_case_idx ON case_timeline (inquiry_id, at)`);
    await q.query(`CREATE TABLE portal_counters (name text PRIMARY KEY, value bigint NOT NULL DEFAULT 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['portal_counters', 'case_timeline', 'case_views', 'idempotency_keys', 'inquiries', 'tracking_counters', 'refresh_tokens', 'accounts']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
