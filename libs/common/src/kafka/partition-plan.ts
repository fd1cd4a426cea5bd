import { Partitioners, type Admin, type Message, type PartitionMetadata } from 'kafkajs';
import type { RawMessage } from './event-producer.js';

export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: Message[];
}

export interface SendPlan {
  /** True when the cluster has one broker: a request cannot span brokers, so batches may share one. */
  singleBroker: boolean;
  batches: PartitionBatch[];
}

interface TopicInfo {
  partitions: PartitionMetadata[];
  fetchedAt: number;
}

/**
 * Gives every message its partition before it is sent, so that one produce request never spans brokers.
 *
 * kafkajs 2.2.4 keeps, across the retries of one send, the response of every broker that already answered. When a
 * leader stops, the partitions it led are retried against their new leader; if that broker had answered for other
 * partitions in an earlier attempt, it is skipped, the send resolves, and those messages were never written
 * (tulios/kafkajs#1798, issue #1303). The fault test lost 1–2 of 3,000 acknowledged inquiries that way. A send
 * limited to one partition touches one broker per attempt, which the retry handles correctly.
 *
 * Partitions are chosen by kafkajs's own default partitioner (murmur2 of the key, like the Java client), so keys
 * land where they always did.
 */
export class PartitionPlanner {
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly topics = new Map<string, TopicInfo>();
  private brokers = 0;
  private brokersAt = 0;
  private connected?: Promise<void>;

  constructor(
    private readonly admin: Admin,
    private readonly maxAgeMs = 30_000,
  ) {}

  async plan(batches: { topic: string; messages: RawMessage[] }[]): Promise<SendPlan> {
    await this.refresh(batches.map((b) => b.topic));
    const grouped = new Map<string, PartitionBatch>();
    for (const { topic, messages } of batches) {
      const partitionMetadata = this.topics.get(topic)!.partitions;
      for (const message of messages) {
        const partition = this.partitioner({ topic, partitionMetadata, message: message as Message });
        const id = `${topic}\u0000${partition}`;
        let batch = grouped.get(id);
        if (!batch) grouped.set(id, (batch = { topic, partition, messages: [] }));
        batch.messages.push({ ...(message as Message), partition });
      }
    }
    return { singleBroker: this.brokers === 1, batches: [...grouped.values()] };
  }

  /** Forget what is known, after a failed send: the next plan reads the cluster again. */
  invalidate(): void {
    this.topics.clear();
    this.brokersAt = 0;
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.admin.disconnect();
  }

  private async refresh(topics: string[]): Promise<void> {
    const now = Date.now();
    const stale = [...new Set(topics)].filter((t) => (this.topics.get(t)?.fetchedAt ?? 0) + this.maxAgeMs <= now);
    const brokersStale = this.brokersAt + this.maxAgeMs <= now;
    if (stale.length === 0 && !brokersStale) return;
    await this.connect();
    if (stale.length > 0) {
      const metadata = await this.retrying(() => this.admin.fetchTopicMetadata({ topics: stale }));
      for (const t of metadata.topics) this.topics.set(t.name, { partitions: t.partitions, fetchedAt: now });
    }
    if (brokersStale) {
      this.brokers = (await this.admin.describeCluster()).brokers.length;
      this.brokersAt = now;
    }
  }

  /** A topic created a moment ago may not be known to every broker yet: that error is retriable. */
  private async retrying<T>(call: () => Promise<T>, attempts = 6): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= attempts || !(error as { retriable?: boolean }).retriable) throw error;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  private connect(): Promise<void> {
    this.connected ??= this.admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }
}
