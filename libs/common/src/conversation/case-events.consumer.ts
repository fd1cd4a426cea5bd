import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/config.js';
import type { EventOf } from '../contracts/topic-contract.js';
import { TOPICS } from '../contracts/topics.js';
import { ConsumerRunner } from '../kafka/consumer-runner.js';
import { ProcessedMessages } from '../outbox/processed-messages.js';
import { InjectLogger, InjectPlatformConfig } from '../platform/platform.module.js';
import { CASE_STATUS } from './case-status.js';
import { ConversationService } from './conversation.service.js';

/**
 * Follows case.events.v1 in every channel app that runs the conversation, so "查询" can show status and a
 * pending survey can be answered. Started in the background: pushes must be answered even while the broker
 * is down, so boot never waits for Kafka.
 */
@Injectable()
export class CaseEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopped = false;
  private starting?: Promise<void>;
  private consumer?: Consumer;

  constructor(
    private readonly runner: ConsumerRunner,
    private readonly processed: ProcessedMessages,
    private readonly conversation: ConversationService,
    private readonly dataSource: DataSource,
    @InjectPlatformConfig() private readonly config: PlatformConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.starting = this.startWithRetry();
  }

  /** A start still in flight finishes first, then its consumer is stopped (the runner may have missed it). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.starting;
    if (this.consumer) await this.runner.stop(this.consumer).catch(() => undefined);
  }

  private async startWithRetry(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.start();
        return;
      } catch (error) {
        this.logger.warn({ err: String(error) }, 'case events consumer could not start; retrying in 5 s');
        for (let i = 0; i < 50 && !this.stopped; i++) await sleep(100);
      }
    }
  }

  private async start(): Promise<void> {
    const consumer = `${this.config.app}.case-status`;
    const apply = async (all: EventOf<typeof TOPICS.caseEvents>[]): Promise<void> => {
      // Most events are other channels' cases or steps that do not move a status: no transaction for them.
      const events = await this.conversation.relevantCaseEvents(this.dataSource, all);
      if (events.length === 0) return;
      await this.processed.onceEach(consumer, TOPICS.caseEvents.name, events, async (m, fresh) => {
        await this.conversation.applyCaseEvents(m, fresh.map((event) => ({ inquiryId: event.payload.inquiryId, type: event.type })));
      });
    };
    this.consumer = await this.runner.start({
      contract: TOPICS.caseEvents,
      groupId: consumer,
      types: Object.keys(CASE_STATUS),
      handle: (event) => apply([event]),
      handleBatch: (events) => apply(events),
    });
  }
}
