import { AsyncResource } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import { GroupCommit } from './group-commit.js';
import { leanTransaction } from './opened-transaction.js';

type Work = (manager: EntityManager) => Promise<unknown>;

/** Most works in one shared transaction. */
const MAX_SHARED = 100;

/**
 * Independent write transactions committed together (a GroupCommit of works): the works that arrive while a commit
 * is in flight share the next one — one connection, one round trip for their write-behind statements, one
 * BEGIN … COMMIT and one WAL flush — while a lone caller still commits at once.
 *
 * A work must not depend on what the other works of its transaction wrote, and must be safe to run a second time
 * after a rollback (it is, if it only hands statements to the transaction).
 */
export class SharedTransactions {
  private readonly commits: GroupCommit<Work, unknown>;

  constructor(dataSource: DataSource) {
    this.commits = new GroupCommit(
      (works) =>
        leanTransaction(dataSource, async (manager) => {
          const out: unknown[] = [];
          for (const work of works) out.push(await work(manager));
          return out;
        }),
      { maxBatch: MAX_SHARED },
    );
  }

  run<R>(work: (manager: EntityManager) => Promise<R>): Promise<R> {
    // The work runs in its caller's async context (trace id of the request), not in the drain loop's.
    return this.commits.submit(AsyncResource.bind(work)) as Promise<R>;
  }
}
