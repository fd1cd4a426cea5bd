import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A BRIN index lets the retention sweep find old processed-message records without reading the whole table. */
export class PlatformRetention1764900000000 implements MigrationInterface {
  name = 'PlatformRetention1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX processed_messages_processed_at_brin ON processed_messages USING brin (processed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX processed_messages_processed_at_brin`);
  }
}
