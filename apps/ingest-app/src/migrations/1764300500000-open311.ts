import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Open311 GeoReport v2 (src/open311): client API keys, the requests filed through it, and media_url fetch jobs. */
export class Open3111764300500000 implements MigrationInterface {
  name = 'Open3111764300500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE open311_api_keys (
        key_id          text PRIMARY KEY,
        name            text NOT NULL,
        -- SHA-256 of the key: keys are 256 random bits, so a fast hash is enough and lookups stay cheap.
        key_hash        text NOT NULL UNIQUE,
        rate_per_minute integer,
        created_at      timestamptz NOT NULL DEFAULT now(),
        revoked_at      timestamptz
      )`);
    await q.query(`
      CREATE TABLE open311_requests (
        inquiry_id         text PRIMARY KEY REFERENCES inquiries (inquiry_id),
        tracking_no        text NOT NULL UNIQUE,
        service_code       text NOT NULL,
        key_id             text NOT NULL REFERENCES open311_api_keys (key_id),
        attributes         jsonb NOT NULL DEFAULT '{}',
        -- Masked copies: what GET requests shows before (and besides) the read model.
        public_description text NOT NULL,
        public_address     text,
        address_id         text,
        lat                double precision,
        long               double precision,
        -- email, names, phone, device and account ids of the submitter, AES-256-GCM sealed; never shown.
        contact_sealed     text,
        requested_at       timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX open311_requests_time_idx ON open311_requests (requested_at DESC)`);
    await q.query(`
      CREATE TABLE open311_media_jobs (
        job_id          bigserial PRIMARY KEY,
        inquiry_id      text NOT NULL REFERENCES inquiries (inquiry_id),
        url             text NOT NULL,
        state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'refused', 'failed')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      text,
        attachment      jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz
      )`);
    await q.query(`CREATE INDEX open311_media_jobs_due_idx ON open311_media_jobs (next_attempt_at) WHERE state = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['open311_media_jobs', 'open311_requests', 'open311_api_keys']) await q.query(`DROP TABLE ${table}`);
  }
}
