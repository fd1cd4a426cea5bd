import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The duplicate check reads the newest open cases of each area of a batch: an index per area, newest first. */
export class AreaRecentIndex1764700000000 implements MigrationInterface {
  name = 'AreaRecentIndex1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX cases_area_recent_idx ON cases (area, received_at DESC) WHERE status NOT IN ('rejected', 'merged', 'closed')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cases_area_recent_idx`);
  }
}
