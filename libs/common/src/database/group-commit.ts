import { databaseUnavailable } from './database-errors.js';

export interface GroupCommitOptions<T> {
  /** At most this many items in one transaction. */
  maxBatch: number;
  /** Transactions in flight at once (default 1); keep it under the database pool size. */
  lanes?: number;
  /** Items with the same key always take the same lane, so they are committed in the order they were submitted. */
  keyOf?: (item: T) => string;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Lane<T, R> {
  queue: Waiting<T, R>[];
  busy: boolean;
}

/**
 * Group commit: items submitted while a lane's transaction runs wait for it and then go together in the next
 * one, so a commit (and its WAL flush) and the per-transaction statements are shared by everything that arrived
 * meanwhile. An idle lane starts at once: at low load a batch is one item and nothing waits for company.
 * Every caller is answered only after the transaction holding its item committed.
 *
 * When a batch fails, each of its items is tried again alone, in order, so one bad item fails only its own caller
 * with its own error. Not when the database is unavailable (unreachable, or cut during COMMIT, when nobody knows
 * whether it committed): trying again cannot help then, and every caller of the batch gets that error.
 */
export class GroupCommit<T, R> {
  private readonly lanes: Lane<T, R>[];

  constructor(
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions<T>,
  ) {
    const lanes = options.lanes ?? 1;
    if (lanes < 1 || options.maxBatch < 1) throw new Error('group commit needs at least one lane and one item per batch');
    this.lanes = Array.from({ length: lanes }, () => ({ queue: [], busy: false }));
  }

  submit(item: T): Promise<R> {
    const keyOf = this.options.keyOf;
    const lane = this.lanes[keyOf && this.lanes.length > 1 ? laneIndex(keyOf(item), this.lanes.length) : 0];
    return new Promise<R>((resolve, reject) => {
      lane.queue.push({ item, resolve, reject });
      if (!lane.busy) void this.drain(lane);
    });
  }

  private async drain(lane: Lane<T, R>): Promise<void> {
    lane.busy = true;
    try {
      while (lane.queue.length > 0) await this.commitBatch(lane.queue.splice(0, this.options.maxBatch));
    } finally {
      lane.busy = false;
    }
  }

  private async commitBatch(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.commit(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1 || databaseUnavailable(error)) for (const w of batch) w.reject(error);
      else for (const w of batch) await this.commit([w.item]).then(([r]) => w.resolve(r), w.reject);
    }
  }
}

/** FNV-1a: a stable, evenly spread lane for a key. */
function laneIndex(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}
