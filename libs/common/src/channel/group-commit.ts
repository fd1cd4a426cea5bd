export interface GroupCommitOptions<T> {
  /** Transactions in flight at once; keep it under the database pool size (the relay, ticker and workers share it). */
  lanes: number;
  /** At most this many items in one transaction. */
  maxBatch: number;
  /** Items with the same key always take the same lane, so they are committed in the order they were submitted. */
  keyOf: (item: T) => string;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a lane's transaction runs wait for it and then go together in the next
 * one, so a commit (and its WAL flush) and the per-transaction statements are shared by everything that arrived
 * meanwhile. An idle lane starts at once: at low load a batch is one item and nothing waits for company.
 * Every caller is answered only after the transaction holding its item committed. When a batch fails, each of
 * its items is tried again alone, so one bad item fails only its own caller.
 */
export class GroupCommit<T, R> {
  private readonly lanes: { queue: Waiting<T, R>[]; busy: boolean }[];

  constructor(
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions<T>,
  ) {
    if (options.lanes < 1 || options.maxBatch < 1) throw new Error('group commit needs at least one lane and one item per batch');
    this.lanes = Array.from({ length: options.lanes }, () => ({ queue: [], busy: false }));
  }

  submit(item: T): Promise<R> {
    const lane = this.lanes[laneIndex(this.options.keyOf(item), this.lanes.length)];
    return new Promise<R>((resolve, reject) => {
      lane.queue.push({ item, resolve, reject });
      if (!lane.busy) void this.drain(lane);
    });
  }

  private async drain(lane: { queue: Waiting<T, R>[]; busy: boolean }): Promise<void> {
    lane.busy = true;
    try {
      while (lane.queue.length > 0) {
        const batch = lane.queue.splice(0, this.options.maxBatch);
        try {
          const results = await this.commit(batch.map((w) => w.item));
          batch.forEach((w, i) => w.resolve(results[i]));
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else for (const w of batch) await this.commit([w.item]).then(([r]) => w.resolve(r), w.reject);
        }
      }
    } finally {
      lane.busy = false;
    }
  }
}

/** FNV-1a: a stable, evenly spread lane for a key. */
function laneIndex(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}
