import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { newEnvelope, type Envelope } from '../contracts/envelope.js';
import type { EventType, PayloadOf, TopicContract } from '../contracts/topic-contract.js';
import { validateEvent } from '../contracts/validate.js';
import type { PlatformMetrics } from '../metrics/metrics.js';
import { currentTrace } from '../logging/trace-context.js';
import { PartitionPlanner } from './partition-plan.js';

export interface RawMessage {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * Idempotent producer with acks=all: a send resolves only when every in-sync replica has the message, and
 * the broker drops retried duplicates of the same batch. One in-flight request keeps per-key order on retry.
 * On a cluster, every request carries one partition only (see PartitionPlanner for the kafkajs bug this avoids).
 */
export class EventProducer {
  private readonly producer: Producer;
  private readonly planner: PartitionPlanner;
  private connected?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly source: string,
    private readonly metrics?: PlatformMetrics,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    this.planner = new PartitionPlanner(kafka.admin());
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await Promise.all([this.producer.disconnect(), this.planner.close()]);
  }

  /** Builds the envelope (trace id from the event being handled, if any), validates it and sends it. */
  build<C extends TopicContract, T extends EventType<C>>(
    contract: C,
    type: T,
    payload: PayloadOf<C, T>,
    traceId?: string,
  ): Envelope<PayloadOf<C, T>> {
    const envelope = newEnvelope({ type, payload, source: this.source, traceId: traceId ?? currentTrace()?.traceId });
    return validateEvent(contract, envelope) as Envelope<PayloadOf<C, T>>;
  }

  async publish<C extends TopicContract, T extends EventType<C>>(
    contract: C,
    type: T,
    payload: PayloadOf<C, T>,
  ): Promise<Envelope<PayloadOf<C, T>>> {
    const envelope = this.build(contract, type, payload);
    await this.publishEnvelopes(contract, [envelope]);
    return envelope;
  }

  /** Validates envelopes built elsewhere and sends them in one batch. */
  async publishEnvelopes(contract: TopicContract, envelopes: Envelope[]): Promise<void> {
    const messages = envelopes.map((e) => {
      const valid = validateEvent(contract, e);
      return { key: contract.keyOf(valid.payload as never), value: JSON.stringify(valid), headers: { type: valid.type } };
    });
    await this.sendRaw(contract.name, messages);
  }

  /** Sends already-validated bytes (outbox relay, dead-letter copies). */
  sendRaw(topic: string, messages: RawMessage[]): Promise<void> {
    return this.sendRawBatch([{ topic, messages }]);
  }

  /** Sends to several topics at once (the relay's batches span topics); resolves when all are acknowledged. */
  async sendRawBatch(batches: { topic: string; messages: RawMessage[] }[]): Promise<void> {
    const nonEmpty = batches.filter((b) => b.messages.length > 0);
    if (nonEmpty.length === 0) return;
    await this.connect();
    const plan = await this.planner.plan(nonEmpty);
    try {
      const written = plan.singleBroker
        ? await this.producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: plan.batches })
        : (
            await Promise.all(
              plan.batches.map((b) =>
                this.producer.send({ topic: b.topic, acks: -1, compression: CompressionTypes.None, messages: b.messages }),
              ),
            )
          ).flat();
      assertEveryPartitionAcknowledged(plan.batches, written);
    } catch (error) {
      this.planner.invalidate();
      throw error;
    }
    for (const b of nonEmpty) this.metrics?.produced.inc({ topic: b.topic }, b.messages.length);
  }
}

/**
 * kafkajs can resolve a send without having written some of its partitions: after two of three brokers were killed
 * and came back, 2,556 outbox rows of the fault test were marked sent while none of them reached the topic (the
 * send resolved, no error was logged; kafkajs builds its result from the brokers that answered). Every partition
 * of the plan must be in the brokers' answers, without an error; otherwise the send failed and is tried again.
 */
export function assertEveryPartitionAcknowledged(
  planned: { topic: string; partition: number }[],
  written: { topicName: string; partition: number; errorCode: number }[],
): void {
  const acknowledged = new Set(written.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}\u0000${r.partition}`));
  const missing = planned.filter((b) => !acknowledged.has(`${b.topic}\u0000${b.partition}`));
  if (missing.length > 0) {
    throw new Error(`Kafka acknowledged no write to ${missing.map((b) => `${b.topic}/${b.partition}`).join(', ')}; the send is not complete`);
  }
}
