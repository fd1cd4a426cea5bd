import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ConsumerRunner, TOPICS } from '@app/common';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import { NOTIFICATIONS_CONSUMER, NotificationsService } from './notifications.service.js';

/** The notifier's delivery events; the app citizens' in-app notifications are kept from them. */
@Injectable()
export class NotificationsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly runner: ConsumerRunner,
    private readonly notifications: NotificationsService,
    @Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.READ_MODEL_CONSUMER) return;
    await this.runner.start({
      contract: TOPICS.deliveryEvents,
      groupId: NOTIFICATIONS_CONSUMER,
      types: ['AppNotificationCreated'],
      handle: async (event) => {
        await this.notifications.apply(event);
      },
    });
  }
}
