import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventOf, TopicContract } from '../contracts/topic-contract.js';
import { dlqName } from '../contracts/topic-contract.js';
import { decodeEvent } from '../contracts/validate.js';
import { withTrace } from '../logging/trace-context.js';
import type { PlatformMetrics } from '../metrics/metrics.js';
import type { EventProducer } from './event-producer.js';
import { classifyFailure, describeError, type FailureKind } from './handler-errors.js';

export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
}

export interface ConsumerSpec<C extends TopicContract> {
  contract: C;
  groupId: string;
  handle: (event: EventOf<C>, meta: MessageMeta) => Promise<void>;
  /**
   * Optional: handles consecutive messages of one partition at once (one transaction instead of one per message).
   * When it fails for good, the messages go through `handle` one by one, so retries and dead letters stay per message.
   */
  handleBatch?: (events: EventOf<C>[], metas: MessageMeta[]) => Promise<void>;
  /** Most messages given to `handleBatch` at once (default 200). */
  batchSize?: number;
  /** Start at the earliest offset when the group has no committed offset (default true: nothing is skipped). */
  fromBeginning?: boolean;
  /** Partitions handled at once by this instance (order is kept within each partition). */
  concurrency?: number;
}

/** Defaults for every consumer of a runner. */
export interface ConsumerPolicy {
  retries: number;
  baseMs: number;
  maxMs?: number;
  /** Partitions handled at once per consumer unless its spec says otherwise. */
  concurrency?: number;
}

/** Offsets are committed at least this often within a long batch; redelivery after a crash is deduplicated. */
const COMMIT_EVERY = 100;

/**
 * Runs Kafka consumers the platform's way: the offset is committed only after the handler's database
 * transaction, transient failures are retried with exponential back-off (bounded), and a message that
 * fails permanently or runs out of retries is copied to `<topic>.dlq` with its error, so one bad message
 * never blocks its partition.
 */
export class ConsumerRunner {
  private readonly consumers: Consumer[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: EventProducer,
    private readonly logger: Logger,
    private readonly retry: ConsumerPolicy,
    private readonly metrics?: PlatformMetrics,
  ) {}

  async start<C extends TopicContract>(spec: ConsumerSpec<C>): Promise<Consumer> {
    const topic = spec.contract.name;
    const consumer = this.kafka.consumer({
      groupId: spec.groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      // The fetch long-poll also bounds how long a disconnect waits; 500 ms keeps shutdown quick.
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: spec.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: spec.concurrency ?? this.retry.concurrency ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (spec.handleBatch) {
          const size = spec.batchSize ?? 200;
          for (let i = 0; i < batch.messages.length && isRunning() && !isStale(); i += size) {
            const chunk = batch.messages.slice(i, i + size);
            await this.processChunk(spec, chunk, topic, batch.partition, heartbeat);
            const last = chunk[chunk.length - 1].offset;
            resolveOffset(last);
            await this.commit(consumer, { topic, partition: batch.partition, offset: last });
            await heartbeat();
          }
          return;
        }
        let uncommitted = 0;
        let last: string | undefined;
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          const meta = { topic, partition: batch.partition, offset: message.offset };
          await this.process(spec, message, meta, heartbeat);
          resolveOffset(message.offset);
          last = message.offset;
          if (++uncommitted >= COMMIT_EVERY) {
            await this.commit(consumer, meta);
            uncommitted = 0;
          }
          await heartbeat();
        }
        if (uncommitted > 0 && last !== undefined) {
          await this.commit(consumer, { topic, partition: batch.partition, offset: last });
        }
      },
    });
    this.logger.info({ topic, groupId: spec.groupId }, 'consumer started');
    return consumer;
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.consumers.splice(0).map((c) => c.disconnect()));
  }

  private commit(consumer: Consumer, meta: MessageMeta): Promise<void> {
    return consumer.commitOffsets([
      { topic: meta.topic, partition: meta.partition, offset: (BigInt(meta.offset) + 1n).toString() },
    ]);
  }

  private async process<C extends TopicContract>(
    spec: ConsumerSpec<C>,
    message: KafkaMessage,
    meta: MessageMeta,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    let attempts = 0;
    let event: EventOf<C> | undefined;
    for (;;) {
      attempts++;
      try {
        event ??= decodeEvent(spec.contract, message.value);
        const current = event;
        await withTrace({ traceId: current.traceId, eventId: current.id }, () => spec.handle(current, meta));
        this.metrics?.consumed.inc({ topic: meta.topic });
        break;
      } catch (error) {
        const kind = classifyFailure(error);
        this.metrics?.failed.inc({ topic: meta.topic, kind });
        if (kind === 'permanent' || attempts > this.retry.retries) {
          await this.deadLetter(message, meta, error, kind, attempts);
          break;
        }
        const delay = this.backoff(attempts);
        this.logger.warn({ ...meta, attempts, delay, err: describeError(error) }, 'handler failed, retrying');
        await this.sleepWithHeartbeat(delay, heartbeat);
      }
    }
    this.metrics?.handlerSeconds.observe({ topic: meta.topic }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  /**
   * A chunk through `handleBatch`, retried with back-off while the failure is transient; a malformed message, a
   * permanent failure or exhausted retries send the chunk through `process`, one message at a time.
   */
  private async processChunk<C extends TopicContract>(
    spec: ConsumerSpec<C>,
    messages: KafkaMessage[],
    topic: string,
    partition: number,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const metas = messages.map((m) => ({ topic, partition, offset: m.offset }));
    let events: EventOf<C>[] | undefined;
    try {
      events = messages.map((m) => decodeEvent(spec.contract, m.value));
    } catch {
      events = undefined;
    }
    for (let attempt = 1; events && attempt <= this.retry.retries; attempt++) {
      const started = process.hrtime.bigint();
      try {
        await spec.handleBatch!(events, metas);
        this.metrics?.consumed.inc({ topic }, events.length);
        this.metrics?.handlerSeconds.observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
        return;
      } catch (error) {
        const kind = classifyFailure(error);
        if (kind === 'permanent') break;
        const delay = this.backoff(attempt);
        this.logger.warn({ topic, partition, size: events.length, attempt, delay, err: describeError(error) }, 'batch handler failed, retrying');
        await this.sleepWithHeartbeat(delay, heartbeat);
      }
    }
    for (const [i, message] of messages.entries()) await this.process(spec, message, metas[i], heartbeat);
  }

  private backoff(attempt: number): number {
    const max = this.retry.maxMs ?? 10000;
    const exponential = Math.min(max, this.retry.baseMs * 2 ** (attempt - 1));
    return Math.round(exponential / 2 + (Math.random() * exponential) / 2);
  }

  private async sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      await sleep(Math.min(1000, until - Date.now()));
      await heartbeat();
    }
  }

  private async deadLetter(
    message: KafkaMessage,
    meta: MessageMeta,
    error: unknown,
    kind: FailureKind,
    attempts: number,
  ): Promise<void> {
    const reason = describeError(error);
    await this.producer.sendRaw(dlqName(meta.topic), [
      {
        key: message.key?.toString('utf8') ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: {
          'dlq.error': reason.slice(0, 4000),
          'dlq.kind': kind,
          'dlq.attempts': String(attempts),
          'dlq.topic': meta.topic,
          'dlq.partition': String(meta.partition),
          'dlq.offset': meta.offset,
          'dlq.at': new Date().toISOString(),
        },
      },
    ]);
    this.metrics?.deadLettered.inc({ topic: meta.topic });
    this.logger.error({ ...meta, attempts, kind, err: reason }, 'message dead-lettered');
  }
}
