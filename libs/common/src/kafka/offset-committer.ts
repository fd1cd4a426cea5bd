import type { Consumer } from 'kafkajs';

/**
 * Commits one consumer's offsets at most every `intervalMs`, all partitions in one request, instead of one request
 * per partition batch: at a few hundred events a second the per-batch commits were a large share of the broker's
 * work. An offset is recorded only after its handler's transaction, so a crash or a rebalance re-delivers at most
 * one interval of handled messages, which the handlers deduplicate (processed-message table) as they always have.
 */
export class OffsetCommitter {
  /** partition → the next offset to read (the last handled one + 1) */
  private readonly pending = new Map<number, string>();
  /** When the current interval began: the last commit, or the first message handled since (0: none yet). */
  private lastCommit = 0;
  private timer?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly topic: string,
    private readonly intervalMs: number,
    private readonly onLateFailure: (error: unknown) => void,
  ) {}

  /**
   * Records a handled message; commits now when the interval has passed or the consumer is stopping. Never throws:
   * a failed commit (the member was expelled, the group is rebalancing) stays pending and is reported, and the
   * consumer's next heartbeat meets the same condition as the protocol error kafkajs rejoins on. Thrown from the
   * batch handler, kafkajs saw it wrapped as non-retriable and stopped the consumer for good.
   */
  async handled(partition: number, offset: string): Promise<void> {
    this.pending.set(partition, (BigInt(offset) + 1n).toString());
    // The group join may take long after the consumer was made; the first interval starts with its first message.
    if (this.lastCommit === 0) this.lastCommit = Date.now();
    const wait = this.intervalMs - (Date.now() - this.lastCommit);
    if (this.closing || wait <= 0) return this.flush().catch((error: unknown) => void this.onLateFailure(error));
    // The last messages before a quiet spell are committed by the timer, not only by the next batch.
    this.timer ??= setTimeout(() => void this.flush().catch(this.onLateFailure), wait);
  }

  /** Commits what is pending; on failure the offsets stay pending (unless newer ones came meanwhile). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const offsets = [...this.pending].map(([partition, offset]) => ({ topic: this.topic, partition, offset }));
    this.pending.clear();
    this.lastCommit = Date.now();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      for (const o of offsets) if (!this.pending.has(o.partition)) this.pending.set(o.partition, o.offset);
      throw error;
    }
  }

  /** After a rebalance only the partitions this member now holds are its to commit; the others' new owner re-reads. */
  keepOnly(partitions: number[]): void {
    for (const partition of [...this.pending.keys()]) if (!partitions.includes(partition)) this.pending.delete(partition);
  }

  /** From now on every handled message is committed at once; what is pending is committed now. */
  async close(): Promise<void> {
    this.closing = true;
    await this.flush();
  }
}
