import { untilDatabaseReachable } from '@app/common/database/database-errors.js';
import { leanTransaction } from '@app/common/database/opened-transaction.js';
import type { DataSource, EntityManager } from 'typeorm';

type Work = (m: EntityManager) => Promise<void>;

/** How long outcomes wait for an unreachable database before they are given up (and left to lease recovery). */
const OUTAGE_WAIT_MS = 30_000;

/**
 * Records delivery outcomes in shared transactions: while one commit is in flight, the outcomes that finish
 * meanwhile wait and commit together in the next (group commit). Idle, an outcome commits at once; busy, one
 * transaction carries many, which is what lets the dispatcher keep up; outcomes written behind (`writeBehind`)
 * travel with the COMMIT, so a batch of them is one round trip. A failing batch is replayed one
 * outcome per transaction, so one bad outcome cannot take the others down with it.
 *
 * Outcomes commit durably: with `synchronous_commit = off` a PostgreSQL crash lost the last few hundred
 * milliseconds of them, and lease recovery then sent those e-mails a second time (17 in one fault run).
 */
export class CompletionQueue {
  private pending: { work: Work; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly maxBatch = 200,
  ) {}

  complete(work: Work): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ work, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          await this.commit(async (m) => {
            for (const item of batch) await item.work(m);
          });
          for (const item of batch) item.resolve();
        } catch {
          for (const item of batch) await this.commit(item.work).then(item.resolve, item.reject);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Until it commits, an outcome is known only to this process: while PostgreSQL is unreachable (a restart) the
   * transaction is tried again instead of given up, which left the row to lease recovery and sent its e-mail twice.
   */
  private commit(work: Work): Promise<void> {
    return untilDatabaseReachable(() => leanTransaction(this.dataSource, work), OUTAGE_WAIT_MS, () => undefined);
  }
}
