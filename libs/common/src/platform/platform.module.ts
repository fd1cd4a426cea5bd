import {
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DataSource, type MixedList } from 'typeorm';
import type { PlatformConfig } from '../config/config.js';
import { createDataSource, ensureDatabase, migrate } from '../database/data-source.js';
import { untilDatabaseReachable } from '../database/database-errors.js';
import { RetentionSweeper, type RetentionRule } from '../database/retention.js';
import { HealthController } from '../health/health.controller.js';
import { ConsumerRunner } from '../kafka/consumer-runner.js';
import { EventProducer } from '../kafka/event-producer.js';
import { createKafka } from '../kafka/kafka-client.js';
import { createLogger } from '../logging/logger.js';
import { PlatformMetrics } from '../metrics/metrics.js';
import { OutboxRelay } from '../outbox/outbox.relay.js';
import { OutboxWriter } from '../outbox/outbox.writer.js';
import { ProcessedMessages } from '../outbox/processed-messages.js';
import { withPlatformMigrations } from './bootstrap.js';
import { KAFKA, LOGGER, PLATFORM_CONFIG } from './tokens.js';

export interface PlatformModuleOptions {
  config: PlatformConfig;
  /** The service's own migrations; the outbox and processed-message tables are added in front. */
  migrations: Function[];
  entities?: MixedList<Function>;
  /** Run pending migrations at start-up (under an advisory lock). */
  migrateOnStart?: boolean;
  /** The service's own bookkeeping tables to sweep (processed messages are swept for every service). */
  retention?: RetentionRule[];
}

/**
 * Starts the relay and the retention sweeper when the service is up; on shutdown stops consuming first, then
 * sweeping and publishing, then the pool.
 */
@Injectable()
class PlatformLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly runner: ConsumerRunner,
    private readonly producer: EventProducer,
    private readonly dataSource: DataSource,
    private readonly sweeper: RetentionSweeper,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
    this.sweeper.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stopAll();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
    await this.relay.stop();
    await this.producer.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** A fresh data source each attempt: one whose first connection failed is closed, not reused. */
async function openDatabase(config: PlatformConfig, migrations: Function[], options: PlatformModuleOptions): Promise<DataSource> {
  const dataSource = createDataSource({
    url: config.env.DATABASE_URL,
    schema: config.schema,
    migrations,
    entities: options.entities,
    poolSize: config.env.DATABASE_POOL_SIZE,
    applicationName: config.app,
  });
  try {
    if (options.migrateOnStart ?? true) {
      await ensureDatabase(config.env.DATABASE_URL);
      await migrate(dataSource, config.schema);
    } else {
      await dataSource.initialize();
    }
    return dataSource;
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw error;
  }
}

@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const { config } = options;
    const migrations = withPlatformMigrations(options.migrations);
    return {
      module: PlatformModule,
      controllers: [HealthController],
      providers: [
        { provide: PLATFORM_CONFIG, useValue: config },
        { provide: LOGGER, useFactory: () => createLogger(config.app, config.env.LOG_LEVEL) },
        { provide: PlatformMetrics, useFactory: () => new PlatformMetrics(config.app) },
        {
          provide: DataSource,
          inject: [LOGGER],
          // Started before PostgreSQL, or during its restart, the service waits for it instead of exiting.
          useFactory: (logger: Logger) =>
            untilDatabaseReachable(
              () => openDatabase(config, migrations, options),
              config.env.DATABASE_BOOT_WAIT_SECONDS * 1000,
              (error, delayMs) => logger.warn({ err: error, retryInMs: delayMs }, 'PostgreSQL is not reachable yet; waiting'),
            ),
        },
        {
          provide: KAFKA,
          inject: [LOGGER],
          useFactory: (logger: Logger) => createKafka(config.app, config.env.KAFKA_BROKERS, logger),
        },
        {
          provide: EventProducer,
          inject: [KAFKA, PlatformMetrics],
          useFactory: (kafka: Kafka, metrics: PlatformMetrics) => new EventProducer(kafka, config.app, metrics),
        },
        {
          provide: ConsumerRunner,
          inject: [KAFKA, EventProducer, LOGGER, PlatformMetrics],
          useFactory: (kafka: Kafka, producer: EventProducer, logger: Logger, metrics: PlatformMetrics) =>
            new ConsumerRunner(
              kafka,
              producer,
              logger.child({ component: 'consumer' }),
              {
                retries: config.env.KAFKA_CONSUMER_RETRIES,
                baseMs: config.env.KAFKA_RETRY_BASE_MS,
                concurrency: config.env.KAFKA_PARTITION_CONCURRENCY,
              },
              metrics,
            ),
        },
        { provide: OutboxWriter, useFactory: () => new OutboxWriter(config.app, config.schema) },
        {
          provide: OutboxRelay,
          inject: [DataSource, EventProducer, LOGGER, PlatformMetrics],
          useFactory: (dataSource: DataSource, producer: EventProducer, logger: Logger, metrics: PlatformMetrics) =>
            new OutboxRelay(
              dataSource,
              producer,
              logger.child({ component: 'outbox' }),
              {
                schema: config.schema,
                databaseUrl: config.env.DATABASE_URL,
                batchSize: config.env.OUTBOX_BATCH,
                pollMs: config.env.OUTBOX_POLL_MS,
              },
              metrics,
            ),
        },
        { provide: ProcessedMessages, inject: [DataSource], useFactory: (ds: DataSource) => new ProcessedMessages(ds) },
        {
          provide: RetentionSweeper,
          inject: [DataSource, LOGGER],
          useFactory: (ds: DataSource, logger: Logger) =>
            new RetentionSweeper(
              ds,
              [{ table: 'processed_messages', column: 'processed_at', days: config.env.PROCESSED_MESSAGES_RETENTION_DAYS }, ...(options.retention ?? [])],
              logger.child({ component: 'retention' }),
            ),
        },
        PlatformLifecycle,
      ],
      exports: [
        PLATFORM_CONFIG,
        LOGGER,
        KAFKA,
        PlatformMetrics,
        DataSource,
        EventProducer,
        ConsumerRunner,
        OutboxWriter,
        OutboxRelay,
        ProcessedMessages,
        RetentionSweeper,
      ],
    };
  }
}

/** Parameter decorators for the shared tokens. */
export const InjectLogger = () => Inject(LOGGER);
export const InjectPlatformConfig = () => Inject(PLATFORM_CONFIG);
