import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, ConsumerRunConfig, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventOf, TopicContract } from '../contracts/topic-contract.js';
import { dlqName } from '../contracts/topic-contract.js';
import { decodeEvent } from '../contracts/validate.js';
import { withTrace } from '../logging/trace-context.js';
import type { PlatformMetrics } from '../metrics/metrics.js';
import type { EventProducer } from './event-producer.js';
import { classifyFailure, describeError, type FailureKind } from './handler-errors.js';
import { OffsetCommitter } from './offset-committer.js';
import { PartitionBatchJoiner } from './partition-batch-joiner.js';

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
   * Optional: handles the messages of every partition fetched together at once (one transaction instead of one per
   * message; each partition's messages in order; see PartitionBatchJoiner). When it fails for good, the messages go
   * through `handle` one by one, so retries and dead letters stay per message.
   */
  handleBatch?: (events: EventOf<C>[], metas: MessageMeta[]) => Promise<void>;
  /** Most messages given to `handleBatch` at once (default 200). */
  batchSize?: number;
  /** Start at the earliest offset when the group has no committed offset (default true: nothing is skipped). */
  fromBeginning?: boolean;
  /** Without `handleBatch`: partitions handled at once by this instance (order is kept within each partition). */
  concurrency?: number;
  /**
   * The event types this consumer acts on. Others are passed over by their `type` header (which the platform's
   * producers set) without being decoded, handled or recorded; their offsets are committed as usual. A message
   * without the header is always handed over.
   */
  types?: readonly string[];
  /**
   * Fetch each message the moment it arrives (for a consumer on the citizen's path to a routing decision). Other
   * consumers let the broker gather what arrives within FETCH_WINDOW_MS into one fetch.
   */
  prompt?: boolean;
}

/** Defaults for every consumer of a runner. */
export interface ConsumerPolicy {
  retries: number;
  baseMs: number;
  maxMs?: number;
  /** Partitions handled at once per consumer unless its spec says otherwise. */
  concurrency?: number;
}

/** How often a consumer commits its offsets (see OffsetCommitter). */
const COMMIT_INTERVAL_MS = 1000;
/**
 * How long the broker holds a fetch of a consumer that is not `prompt` for more messages (up to FETCH_MIN_BYTES).
 * At a few hundred events a second, fetching each as it arrives meant a fetch per event per consumer group.
 */
const FETCH_WINDOW_MS = 200;
/** How long a consumer that crashed for good waits before it is started again. */
const CRASH_RESTART_MS = 1000;
/** The longest wait between two tries to connect and subscribe at a consumer's start. */
const SUBSCRIBE_RETRY_MAX_MS = 10_000;
const FETCH_MIN_BYTES = 256 * 1024;
/** Partitions of one topic a batch consumer takes at once: all of them (their batches are joined). */
const JOINED_PARTITIONS = 64;

/**
 * Runs Kafka consumers the platform's way: the offset is committed only after the handler's database
 * transaction, transient failures are retried with exponential back-off (bounded), and a message that
 * fails permanently or runs out of retries is copied to `<topic>.dlq` with its error, so one bad message
 * never blocks its partition.
 */
export class ConsumerRunner {
  private readonly consumers = new Map<Consumer, OffsetCommitter>();
  private readonly stopping = new WeakSet<Consumer>();

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: EventProducer,
    private readonly logger: Logger,
    private readonly retry: ConsumerPolicy,
    private readonly metrics?: PlatformMetrics,
  ) {}

  /**
   * Connects, subscribes and joins the group. A consumer that starts at the earliest offset does all of it in the
   * background: a restarted service must serve without waiting for the brokers (ingest-app acknowledges through
   * its outbox while they are down) or for its join (after a `kill -9` the broker holds a new member's join until
   * the dead one's session times out, 30 s per group). One that starts at the latest offset sees only what
   * arrives after its join, so `start` waits for it.
   */
  async start<C extends TopicContract>(spec: ConsumerSpec<C>): Promise<Consumer> {
    const topic = spec.contract.name;
    const consumer: Consumer = this.kafka.consumer({
      groupId: spec.groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      // The fetch long-poll also bounds how long a disconnect waits; 500 ms keeps shutdown quick.
      maxWaitTimeInMs: spec.prompt ? 500 : FETCH_WINDOW_MS,
      minBytes: spec.prompt ? 1 : FETCH_MIN_BYTES,
      allowAutoTopicCreation: false,
      // A join cut short by `stop` fails like a lost connection; kafkajs would otherwise start the consumer again.
      retry: { retries: 5, restartOnFailure: async () => !this.stopping.has(consumer) },
    });
    const committer = new OffsetCommitter(consumer, topic, COMMIT_INTERVAL_MS, (error) =>
      this.logger.warn({ topic, groupId: spec.groupId, err: describeError(error) }, 'offset commit failed; retried with the next one'),
    );
    this.consumers.set(consumer, committer);
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[topic] ?? [];
      committer.keepOnly(partitions);
      this.logger.info({ topic, groupId: spec.groupId, partitions }, 'consumer joined its group');
    });
    // The heartbeat of each partition's running batch (kafkajs gives one per batch); a joined call uses its first's.
    const heartbeats = new Map<number, () => Promise<void>>();
    const joiner = spec.handleBatch
      ? new PartitionBatchJoiner(async (messages, metas) => {
          const size = spec.batchSize ?? 200;
          for (let i = 0; i < messages.length; i += size) {
            await this.processChunk(spec, messages.slice(i, i + size), metas.slice(i, i + size), heartbeats.get(metas[i].partition));
          }
        })
      : undefined;
    const types = spec.types ? new Set(spec.types) : undefined;
    const acts = (message: KafkaMessage): boolean => {
      const header = message.headers?.type;
      const type = Array.isArray(header) ? header[0] : header;
      return !types || type === undefined || types.has(type.toString());
    };
    const config: ConsumerRunConfig = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Batch handlers take every partition at once and are joined into one transaction (PartitionBatchJoiner).
      partitionsConsumedConcurrently: joiner ? JOINED_PARTITIONS : (spec.concurrency ?? this.retry.concurrency ?? 1),
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (joiner) {
          if (!isRunning() || isStale() || batch.messages.length === 0) return;
          heartbeats.set(batch.partition, heartbeat);
          const wanted = batch.messages.filter(acts);
          if (wanted.length > 0) await joiner.join(topic, batch.partition, wanted);
          const last = batch.messages[batch.messages.length - 1].offset;
          resolveOffset(last);
          await committer.handled(batch.partition, last);
          await heartbeat();
          return;
        }
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          if (acts(message)) await this.process(spec, message, { topic, partition: batch.partition, offset: message.offset }, heartbeat);
          resolveOffset(message.offset);
          await committer.handled(batch.partition, message.offset);
          await heartbeat();
        }
      },
    };
    const where = { topic, groupId: spec.groupId };
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping.has(consumer)) return;
      // kafkajs restarts a consumer only after a retriable error; any other crash would leave it dead for good
      // while the service looks healthy.
      this.logger.error({ ...where, err: describeError(payload.error) }, 'consumer crashed; starting it again');
      setTimeout(() => void this.run(consumer, config, where, undefined, true), CRASH_RESTART_MS).unref();
    });
    const joined = this.run(consumer, config, where, { topic, fromBeginning: spec.fromBeginning ?? true });
    if (spec.fromBeginning === false) await joined;
    return consumer;
  }

  /**
   * `subscription`: the first start, which connects and subscribes first, trying again until the brokers answer.
   * `reconnect`: after a crash, which left the consumer disconnected (its subscription stays).
   */
  private async run(
    consumer: Consumer,
    config: ConsumerRunConfig,
    where: { topic: string; groupId: string },
    subscription?: { topic: string; fromBeginning: boolean },
    reconnect = false,
  ): Promise<void> {
    if (subscription && !(await this.subscribe(consumer, subscription, where))) return;
    if (this.stopping.has(consumer)) {
      // Stopped while its connection was being made: `stop` may have disconnected before it was there.
      if (subscription) await consumer.disconnect().catch(() => undefined);
      return;
    }
    try {
      if (reconnect) await consumer.connect();
      // Resolves once the group is joined, or after a failed join (reported by kafkajs and the CRASH listener).
      await consumer.run(config);
    } catch (error) {
      this.logger.error({ ...where, err: describeError(error) }, 'consumer failed to start');
    }
  }

  /** False when the consumer was stopped before the brokers answered. */
  private async subscribe(consumer: Consumer, subscription: { topic: string; fromBeginning: boolean }, where: { topic: string; groupId: string }): Promise<boolean> {
    for (let attempt = 1; !this.stopping.has(consumer); attempt++) {
      try {
        await consumer.connect();
        await consumer.subscribe(subscription);
        return true;
      } catch (error) {
        const delay = Math.min(SUBSCRIBE_RETRY_MAX_MS, CRASH_RESTART_MS * attempt);
        this.logger.warn({ ...where, attempt, delay, err: describeError(error) }, 'consumer could not connect or subscribe (brokers down, topic missing); trying again');
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
    return false;
  }

  /** Commits what the consumer has handled, then leaves its group. */
  async stop(consumer: Consumer): Promise<void> {
    const committer = this.consumers.get(consumer);
    this.consumers.delete(consumer);
    this.stopping.add(consumer);
    await committer?.close().catch((error: unknown) => this.logger.warn({ err: describeError(error) }, 'final offset commit failed'));
    await consumer.disconnect();
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.consumers.keys()].map((c) => this.stop(c)));
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
    metas: MessageMeta[],
    heartbeat: () => Promise<void> = async () => undefined,
  ): Promise<void> {
    const topic = spec.contract.name;
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
        this.logger.warn({ topic, partitions: [...new Set(metas.map((m) => m.partition))], size: events.length, attempt, delay, err: describeError(error) }, 'batch handler failed, retrying');
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
