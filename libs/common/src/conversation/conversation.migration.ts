import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The conversation tables, created in the schema of each channel app that includes this migration
 * (ingest-wechat, ingest-weibo): drafts and their items, the citizen's cases as this channel knows them
 * (fed by case.events.v1), and per-citizen facts (when activity was last reported).
 */
export class ConversationTables1764300000000 implements MigrationInterface {
  name = 'ConversationTables1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE conv_tracking_seq`);
    await q.query(`
      CREATE TABLE conv_drafts (
        id               text PRIMARY KEY,
        channel          text NOT NULL,
        account          text NOT NULL,
        user_id          text NOT NULL,
        status           text NOT NULL CHECK (status IN ('open', 'submitted', 'sent', 'cancelled', 'expired')),
        type_hint        text,
        tracking_no      text UNIQUE,
        opened_at        timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        submitted_at     timestamptz,
        sent_at          timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX conv_drafts_one_open ON conv_drafts (channel, account, user_id) WHERE status = 'open'`);
    await q.query(`CREATE INDEX conv_drafts_open_idx ON conv_drafts (last_activity_at) WHERE status = 'open'`);
    await q.query(`CREATE INDEX conv_drafts_submitted_idx ON conv_drafts (submitted_at) WHERE status = 'submitted'`);
    await q.query(`
      CREATE TABLE conv_draft_items (
        id                bigserial PRIMARY KEY,
        draft_id          text NOT NULL REFERENCES conv_drafts (id) ON DELETE CASCADE,
        kind              text NOT NULL CHECK (kind IN ('text', 'media', 'location')),
        text              text,
        location          jsonb,
        media_kind        text,
        media_status      text CHECK (media_status IN ('pending', 'ready', 'failed')),
        attachment        jsonb,
        vendor_message_id text,
        at                timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX conv_draft_items_draft_idx ON conv_draft_items (draft_id, id)`);
    await q.query(`
      CREATE TABLE conv_cases (
        inquiry_id     text PRIMARY KEY,
        tracking_no    text NOT NULL,
        channel        text NOT NULL,
        account        text NOT NULL,
        user_id        text NOT NULL,
        title          text NOT NULL,
        status         text NOT NULL,
        survey_pending boolean NOT NULL DEFAULT false,
        -- The desk asked the citizen a question (InfoRequested); their next plain text answers it.
        info_requested boolean NOT NULL DEFAULT false,
        submitted_at   timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX conv_cases_citizen_idx ON conv_cases (channel, account, user_id, submitted_at DESC)`);
    await q.query(`
      CREATE TABLE conv_citizens (
        channel              text NOT NULL,
        account              text NOT NULL,
        user_id              text NOT NULL,
        following            boolean NOT NULL DEFAULT true,
        activity_reported_at timestamptz NOT NULL,
        PRIMARY KEY (channel, account, user_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE conv_citizens`);
    await q.query(`DROP TABLE conv_cases`);
    await q.query(`DROP TABLE conv_draft_items`);
    await q.query(`DROP TABLE conv_drafts`);
    await q.query(`DROP SEQUENCE conv_tracking_seq`);
  }
}
