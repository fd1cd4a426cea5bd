import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The platform's Prometheus metrics; one registry per service process. */
export class PlatformMetrics {
  readonly registry = new Registry();

  readonly consumed = new Counter({
    name: 'wz_kafka_consumed_total',
    help: 'Messages handled successfully, by topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'wz_kafka_duplicates_total',
    help: 'Redelivered messages skipped because they were already processed',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly produced = new Counter({
    name: 'wz_kafka_produced_total',
    help: 'Messages acknowledged by the broker, by topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'wz_kafka_handler_failures_total',
    help: 'Handler attempts that failed, by topic and kind (transient, permanent)',
    labelNames: ['topic', 'kind'] as const,
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: 'wz_kafka_dead_lettered_total',
    help: 'Messages sent to the dead-letter topic, by source topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly handlerSeconds = new Histogram({
    name: 'wz_kafka_handler_seconds',
    help: 'Time spent handling one message, retries included',
    labelNames: ['topic'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly outboxPending = new Gauge({
    name: 'wz_outbox_pending',
    help: 'Outbox rows not yet published',
    registers: [this.registry],
  });
  readonly outboxLagSeconds = new Gauge({
    name: 'wz_outbox_lag_seconds',
    help: 'Age of the oldest unpublished outbox row',
    registers: [this.registry],
  });
  readonly outboxPublished = new Counter({
    name: 'wz_outbox_published_total',
    help: 'Outbox rows published to Kafka',
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'wz_' });
  }
}
