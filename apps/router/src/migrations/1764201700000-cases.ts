import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Cases1764201700000 implements MigrationInterface {
  name = 'Cases1764201700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cases (
        inquiry_id    text PRIMARY KEY,
        tracking_no   text,
        channel       text NOT NULL,
        citizen_channel text NOT NULL,
        citizen_ref   text NOT NULL,
        type_hint     text,
        title         text,
        content       text NOT NULL,
        location      jsonb,
        attachments   jsonb NOT NULL DEFAULT '[]',
        anonymous     boolean NOT NULL,
        public_origin boolean NOT NULL DEFAULT false,
        status        text NOT NULL,
        received_at   timestamptz NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX cases_status_idx ON cases (status, received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cases`);
  }
}
