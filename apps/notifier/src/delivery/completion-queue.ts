import type { DataSource, EntityManager } from 'typeorm';

type Work = (m: EntityManager) => Promise<void>;

/**
 * Records delivery outcomes in shared transactions: while one commit is in flight, the outcomes that finish
 * meanwhile wait and commit together in the next (group commit). Idle, an outcome commits at once; busy, one
 * transaction carries many, which is what lets the dispatcher keep up. A failing batch is replayed one
 * outcome per transaction, so one bad outcome cannot take the others down with it.
 */
export class CompletionQueue {
  private pending: { work: Work; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly dataSource: Pick<DataSource, 'transaction'>,
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
          await this.dataSource.transaction(async (m) => {
            await relaxedCommit(m);
            for (const item of batch) await item.work(m);
          });
          for (const item of batch) item.resolve();
        } catch {
          for (const item of batch) {
            await this.dataSource
              .transaction(async (m) => {
                await relaxedCommit(m);
                await item.work(m);
              })
              .then(item.resolve, item.reject);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

/**
 * An outcome's commit need not wait for the WAL flush: if PostgreSQL itself crashes and loses it, the row is
 * back to its committed claim (`sending`) and lease recovery treats it exactly like a crash of this process.
 * The claim, which recovery relies on, is always committed durably before the vendor call.
 */
async function relaxedCommit(m: EntityManager): Promise<void> {
  await m.query(`SET LOCAL synchronous_commit = off`);
}
