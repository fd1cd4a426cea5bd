import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ConsumerRunner, ProcessedMessages, TOPICS } from '@app/common';
import { FeedbackService } from './feedback.service.js';

export const INTERACTIONS_CONSUMER = 'router.interactions';

/** What citizens say about their cases (ratings, withdrawals, more information), each message once. */
@Injectable()
export class InteractionsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly runner: ConsumerRunner,
    private readonly processed: ProcessedMessages,
    private readonly feedback: FeedbackService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start({
      contract: TOPICS.inquiryInteraction,
      groupId: INTERACTIONS_CONSUMER,
      handle: async (event) => {
        await this.processed.once(INTERACTIONS_CONSUMER, TOPICS.inquiryInteraction.name, event, async (manager) => {
          switch (event.type) {
            case 'RatingGiven':
              return this.feedback.rate(manager, event.payload.inquiryId, event.payload.rating, event.payload.comment);
            case 'Withdrawn':
              return this.feedback.withdraw(manager, event.payload.inquiryId, event.payload.reason);
            case 'InformationAdded':
              return this.feedback.informationAdded(manager, event.payload.inquiryId, event.payload.text);
            case 'ChannelActivity':
              return;
            default: {
              const unknown: never = event;
              return unknown;
            }
          }
        });
      },
    });
  }
}
