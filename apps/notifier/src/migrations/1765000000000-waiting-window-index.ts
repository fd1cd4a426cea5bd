import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every message a citizen sends wakes the deliveries waiting for that citizen's window; without an index the
 * wake-up scanned the whole table (≈ 0.4 ms with a few thousand rows, growing with it). Few rows wait at a time.
 */
export class WaitingWindowIndex1765000000000 implements MigrationInterface {
  name = 'WaitingWindowIndex1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_waiting_idx ON deliveries (recipient) WHERE status = 'pending' AND waiting_window`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX deliveries_waiting_idx`);
  }
}
