import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ConsumerRunner, TOPICS } from '@app/common';
import { NotifierSettings } from '../notifier.settings.js';
import { NotificationService } from './notification.service.js';
import { PLANNED_CASE_EVENTS } from './planned-case-events.js';

/** The notifier's consumer groups (`<NOTIFIER_GROUP_PREFIX>.<name>`) and the topic each reads. */
export const NOTIFIER_GROUPS = {
  cases: TOPICS.caseEvents,
  outbound: TOPICS.channelOutbound,
  submitted: TOPICS.inquirySubmitted,
  interactions: TOPICS.inquiryInteraction,
} as const;

/**
 * Four thin handlers, each also for a whole consumer batch (one transaction). A consumer's batches never run side by
 * side (the runner joins its partitions into one transaction at a time): a batch upserts shared rows (units,
 * citizens) in event order, and two batches doing that at once would deadlock.
 */
@Injectable()
export class NotificationConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly runner: ConsumerRunner,
    private readonly notifications: NotificationService,
    private readonly settings: NotifierSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.settings.env.NOTIFIER_GROUP_PREFIX;
    const fromBeginning = this.settings.env.NOTIFIER_FROM_BEGINNING;
    await this.runner.start({
      contract: NOTIFIER_GROUPS.cases,
      groupId: `${prefix}.cases`,
      fromBeginning,
      types: PLANNED_CASE_EVENTS,
      handle: async (event) => void (await this.notifications.onCaseEvent(event)),
      handleBatch: async (events) => void (await this.notifications.onCaseEvents(events)),
    });
    await this.runner.start({
      contract: NOTIFIER_GROUPS.outbound,
      groupId: `${prefix}.outbound`,
      fromBeginning,
      handle: async (event) => void (await this.notifications.onOutbound(event)),
      handleBatch: async (events) => void (await this.notifications.onOutboundMany(events)),
    });
    await this.runner.start({
      contract: NOTIFIER_GROUPS.submitted,
      groupId: `${prefix}.submitted`,
      fromBeginning,
      handle: (event) => this.notifications.onSubmitted(event),
      handleBatch: (events) => this.notifications.onSubmittedMany(events),
    });
    await this.runner.start({
      contract: NOTIFIER_GROUPS.interactions,
      groupId: `${prefix}.interactions`,
      fromBeginning,
      handle: (event) => this.notifications.onInteraction(event),
      handleBatch: (events) => this.notifications.onInteractions(events),
    });
  }
}
