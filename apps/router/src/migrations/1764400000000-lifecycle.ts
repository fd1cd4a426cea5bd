import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 7: persisted clocks, replies, notes, extension requests, staff accounts, unit webhooks. */
export class Lifecycle1764400000000 implements MigrationInterface {
  name = 'Lifecycle1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deadlines (
        inquiry_id  text NOT NULL REFERENCES cases(inquiry_id),
        clock       text NOT NULL,
        unit_id     text,
        due_at      timestamptz NOT NULL,
        warn_at     timestamptz,
        warned_at   timestamptz,
        breached_at timestamptz,
        met_at      timestamptz,
        on_time     boolean,
        cancelled   boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (inquiry_id, clock)
      )`);
    await q.query(`CREATE INDEX deadlines_open_idx ON deadlines (due_at) WHERE met_at IS NULL AND NOT cancelled`);
    // Clocks running before this migration move into the table (the desk clock kept its marks in `cases`).
    // The unit clocks get an approximate warning (one calendar day before); new clocks use working days.
    await q.query(`
      INSERT INTO deadlines (inquiry_id, clock, due_at, warn_at, warned_at, breached_at)
      SELECT inquiry_id, 'desk', desk_deadline, desk_deadline - interval '30 minutes', desk_warned_at, desk_breached_at
      FROM cases WHERE status = 'queued_for_desk' AND desk_deadline IS NOT NULL`);
    await q.query(`
      INSERT INTO deadlines (inquiry_id, clock, unit_id, due_at, warn_at)
      SELECT inquiry_id, 'accept', unit_id, accept_deadline, accept_deadline - interval '1 day'
      FROM cases WHERE status = 'assigned' AND accept_deadline IS NOT NULL`);
    await q.query(`
      INSERT INTO deadlines (inquiry_id, clock, unit_id, due_at, warn_at)
      SELECT inquiry_id, 'reply', unit_id, reply_deadline, reply_deadline - interval '1 day'
      FROM cases WHERE status IN ('assigned', 'accepted') AND reply_deadline IS NOT NULL`);
    await q.query(`
      ALTER TABLE cases
        ADD COLUMN accepted_at timestamptz,
        ADD COLUMN accepted_on_time boolean,
        ADD COLUMN replied_at timestamptz,
        ADD COLUMN replied_on_time boolean,
        ADD COLUMN reply_working_hours real,
        ADD COLUMN rating text,
        ADD COLUMN rated_at timestamptz,
        ADD COLUMN reopen_count integer NOT NULL DEFAULT 0,
        ADD COLUMN closed_at timestamptz,
        ADD COLUMN close_outcome text,
        ADD COLUMN return_reason text,
        ADD COLUMN ext_days integer,
        ADD COLUMN ext_reason text,
        ADD COLUMN ext_requested_at timestamptz,
        ADD COLUMN ext_decision text,
        ADD COLUMN status_before_ext text`);
    await q.query(`CREATE INDEX cases_unit_idx ON cases (unit_id, status)`);
    await q.query(`
      CREATE TABLE case_replies (
        id          bigserial PRIMARY KEY,
        inquiry_id  text NOT NULL REFERENCES cases(inquiry_id),
        unit_id     text NOT NULL,
        final       boolean NOT NULL,
        text        text NOT NULL,
        attachments jsonb NOT NULL DEFAULT '[]',
        on_time     boolean NOT NULL,
        flags       jsonb NOT NULL DEFAULT '[]',
        flag_review text,
        author      text NOT NULL,
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX case_replies_case_idx ON case_replies (inquiry_id, id)`);
    await q.query(`
      CREATE TABLE case_notes (
        id         bigserial PRIMARY KEY,
        inquiry_id text NOT NULL REFERENCES cases(inquiry_id),
        unit_id    text,
        author     text NOT NULL,
        text       text NOT NULL,
        at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE staff_accounts (
        username      text PRIMARY KEY,
        password_hash text NOT NULL,
        role          text NOT NULL,
        unit_id       text REFERENCES units(id),
        display_name  text,
        active        boolean NOT NULL DEFAULT true,
        failed_logins integer NOT NULL DEFAULT 0,
        locked_until  timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now(),
        CHECK (role <> 'unit' OR unit_id IS NOT NULL)
      )`);
    await q.query(`ALTER TABLE units ADD COLUMN webhook_secret text, ADD COLUMN webhook_prefer text`);
    await q.query(`CREATE UNIQUE INDEX units_api_key_idx ON units (api_key_hash) WHERE api_key_hash IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX units_api_key_idx`);
    await q.query(`ALTER TABLE units DROP COLUMN webhook_secret, DROP COLUMN webhook_prefer`);
    await q.query(`DROP TABLE staff_accounts`);
    await q.query(`DROP TABLE case_notes`);
    await q.query(`DROP TABLE case_replies`);
    await q.query(`DROP INDEX cases_unit_idx`);
    await q.query(`
      ALTER TABLE cases
        DROP COLUMN accepted_at, DROP COLUMN accepted_on_time, DROP COLUMN replied_at, DROP COLUMN replied_on_time,
        DROP COLUMN reply_working_hours, DROP COLUMN rating, DROP COLUMN rated_at, DROP COLUMN reopen_count,
        DROP COLUMN closed_at, DROP COLUMN close_outcome, DROP COLUMN return_reason, DROP COLUMN ext_days,
        DROP COLUMN ext_reason, DROP COLUMN ext_requested_at, DROP COLUMN ext_decision, DROP COLUMN status_before_ext`);
    await q.query(`DROP TABLE deadlines`);
  }
}
