import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The unit registry with its history, the dispatch catalogue, the desk's clock and audit, labelled examples. */
export class Routing1764201800000 implements MigrationInterface {
  name = 'Routing1764201800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE units (
        id           text PRIMARY KEY,
        code         integer UNIQUE,
        name         text NOT NULL,
        short_name   text NOT NULL UNIQUE,
        kind         text NOT NULL,
        parent_id    text REFERENCES units(id),
        area         text NOT NULL,
        emails       jsonb NOT NULL DEFAULT '[]',
        webhook_url  text,
        api_key_hash text,
        active       boolean NOT NULL DEFAULT true,
        merged_into  text REFERENCES units(id),
        version      integer NOT NULL DEFAULT 1,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE unit_history (
        id        bigserial PRIMARY KEY,
        unit_id   text NOT NULL REFERENCES units(id),
        version   integer NOT NULL,
        action    text NOT NULL,
        actor     text NOT NULL,
        reason    text,
        snapshot  jsonb NOT NULL,
        at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (unit_id, version)
      )`);
    await q.query(`
      CREATE TABLE dispatch_rules (
        id           text PRIMARY KEY,
        keywords     jsonb NOT NULL,
        scope        text NOT NULL,
        unit_id      text NOT NULL REFERENCES units(id),
        yuyang_unit_id text REFERENCES units(id),
        zone_local   boolean NOT NULL DEFAULT false,
        co_unit_ids  jsonb NOT NULL DEFAULT '[]',
        active       boolean NOT NULL DEFAULT true,
        updated_by   text NOT NULL DEFAULT 'seed',
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      ALTER TABLE cases
        ADD COLUMN topic text,
        ADD COLUMN topic_confidence real,
        ADD COLUMN inquiry_type text,
        ADD COLUMN area text,
        ADD COLUMN place text,
        ADD COLUMN routing_confidence real,
        ADD COLUMN suggestions jsonb,
        ADD COLUMN unit_id text,
        ADD COLUMN unit_name text,
        ADD COLUMN co_unit_ids jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN assigned_by text,
        ADD COLUMN assigned_at timestamptz,
        ADD COLUMN accept_deadline timestamptz,
        ADD COLUMN reply_deadline timestamptz,
        ADD COLUMN desk_deadline timestamptz,
        ADD COLUMN desk_reason text,
        ADD COLUMN desk_warned_at timestamptz,
        ADD COLUMN desk_breached_at timestamptz,
        ADD COLUMN claimed_by text,
        ADD COLUMN claimed_at timestamptz,
        ADD COLUMN duplicate_of text,
        ADD COLUMN merged_into text,
        ADD COLUMN reject_reason text,
        ADD COLUMN version integer NOT NULL DEFAULT 1`);
    await q.query(`CREATE INDEX cases_desk_idx ON cases (desk_deadline) WHERE status = 'queued_for_desk'`);
    await q.query(`CREATE INDEX cases_open_recent_idx ON cases (received_at) WHERE status NOT IN ('rejected', 'merged', 'closed')`);
    await q.query(`
      CREATE TABLE case_audit (
        id         bigserial PRIMARY KEY,
        inquiry_id text NOT NULL REFERENCES cases(inquiry_id),
        action     text NOT NULL,
        actor      text NOT NULL,
        reason     text,
        details    jsonb NOT NULL DEFAULT '{}',
        at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX case_audit_case_idx ON case_audit (inquiry_id, id)`);
    await q.query(`
      CREATE TABLE labelled_examples (
        id         bigserial PRIMARY KEY,
        inquiry_id text NOT NULL REFERENCES cases(inquiry_id),
        text       text NOT NULL,
        predicted_unit_id text,
        unit_id    text,
        label      text NOT NULL,
        actor      text NOT NULL,
        at         timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE labelled_examples`);
    await q.query(`DROP TABLE case_audit`);
    await q.query(`DROP INDEX cases_open_recent_idx`);
    await q.query(`DROP INDEX cases_desk_idx`);
    await q.query(`
      ALTER TABLE cases
        DROP COLUMN topic, DROP COLUMN topic_confidence, DROP COLUMN inquiry_type, DROP COLUMN area, DROP COLUMN place,
        DROP COLUMN routing_confidence, DROP COLUMN suggestions, DROP COLUMN unit_id, DROP COLUMN unit_name,
        DROP COLUMN co_unit_ids, DROP COLUMN assigned_by, DROP COLUMN assigned_at, DROP COLUMN accept_deadline,
        DROP COLUMN reply_deadline, DROP COLUMN desk_deadline, DROP COLUMN desk_reason, DROP COLUMN desk_warned_at, DROP COLUMN desk_breached_at, DROP COLUMN claimed_by,
        DROP COLUMN claimed_at, DROP COLUMN duplicate_of, DROP COLUMN merged_into, DROP COLUMN reject_reason,
        DROP COLUMN version`);
    await q.query(`DROP TABLE dispatch_rules`);
    await q.query(`DROP TABLE unit_history`);
    await q.query(`DROP TABLE units`);
  }
}
