import { AsyncResource } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import { databaseUnavailable } from './database-errors.js';
import { leanTransaction } from './opened-transaction.js';

interface Queued {
  work: (manager: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Most works in one shared transaction. */
const MAX_SHARED = 100;

/**
 * Commits independent write transactions together: the works that arrive while a commit is in flight share the next
 * one (one connection, one round trip for their write-behind statements, one BEGIN … COMMIT and one WAL flush), so
 * under load the cost of a commit is split between many callers while a lone caller still commits at once. When a
 * shared transaction fails, each of its works runs again in a transaction of its own: one bad work fails alone,
 * with its own error, and the others commit (unless the database is unavailable: then they all fail with that).
 *
 * A work must not depend on what the other works of its transaction wrote, and must be safe to run a second time
 * after a rollback (it is, if it only hands statements to the transaction).
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private draining = false;

  constructor(private readonly dataSource: DataSource) {}

  run<R>(work: (manager: EntityManager) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // The work runs in its caller's async context (trace id of the request), not in the drain loop's.
      this.queue.push({ work: AsyncResource.bind(work), resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, MAX_SHARED));
    } finally {
      this.draining = false;
    }
  }

  private async commit(batch: Queued[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const results = await leanTransaction(this.dataSource, async (manager) => {
          const out: unknown[] = [];
          for (const q of batch) out.push(await q.work(manager));
          return out;
        });
        batch.forEach((q, i) => q.resolve(results[i]));
        return;
      } catch (error) {
        // Unreachable, or cut during COMMIT (committed or not, nobody knows): running the works again cannot help.
        if (databaseUnavailable(error)) {
          for (const q of batch) q.reject(error);
          return;
        }
        // Which work failed is not known: each one runs again alone below.
      }
    }
    await Promise.all(batch.map((q) => leanTransaction(this.dataSource, q.work).then(q.resolve, q.reject)));
  }
}
