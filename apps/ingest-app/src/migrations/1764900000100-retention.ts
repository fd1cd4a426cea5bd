import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets the retention sweep find expired idempotency keys cheaply. */
export class IngestAppRetention1764900000100 implements MigrationInterface {
  name = 'IngestAppRetention1764900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idempotency_keys_created_brin ON idempotency_keys USING brin (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idempotency_keys_created_brin`);
  }
}
