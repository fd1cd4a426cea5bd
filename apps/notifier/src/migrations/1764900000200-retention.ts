import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets the retention sweep find old finished deliveries cheaply. */
export class NotifierRetention1764900000200 implements MigrationInterface {
  name = 'NotifierRetention1764900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_created_brin ON deliveries USING brin (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX deliveries_created_brin`);
  }
}
