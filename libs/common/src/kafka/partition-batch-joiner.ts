import type { KafkaMessage } from 'kafkajs';
import type { MessageMeta } from './consumer-runner.js';

interface Waiting {
  partition: number;
  messages: KafkaMessage[];
  metas: MessageMeta[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Joins the batches of the partitions a consumer is handling at once into one call of `handle`, so a fetch that
 * brought a few events on each of six partitions costs one database transaction instead of six. One call runs at a
 * time: batches that arrive meanwhile wait for the next, so one consumer's transactions never run side by side
 * (no deadlocks between them) and each partition's messages keep their order. Each caller's promise settles with
 * the call that contained its batch.
 */
export class PartitionBatchJoiner {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private busy = false;

  constructor(private readonly handle: (messages: KafkaMessage[], metas: MessageMeta[]) => Promise<void>) {}

  join(topic: string, partition: number, messages: KafkaMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const metas = messages.map((m) => ({ topic, partition, offset: m.offset }));
      this.waiting.push({ partition, messages, metas, resolve, reject });
      this.schedule();
    });
  }

  /** Waits a turn of the event loop, so the other partitions of the same fetch join this call. */
  private schedule(): void {
    if (this.scheduled || this.busy) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.busy || this.waiting.length === 0) return;
    this.busy = true;
    // In partition order, not arrival order: topics keyed alike (by inquiry) then lock their rows in the same order
    // in every consumer group, so two groups' transactions over the same inquiries do not deadlock each other.
    const group = this.waiting.sort((a, b) => a.partition - b.partition);
    this.waiting = [];
    try {
      await this.handle(
        group.flatMap((w) => w.messages),
        group.flatMap((w) => w.metas),
      );
      for (const w of group) w.resolve();
    } catch (error) {
      for (const w of group) w.reject(error);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }
}
