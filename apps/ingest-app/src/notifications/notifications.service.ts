import { Injectable } from '@nestjs/common';
import { ProcessedMessages, TOPICS, type EventOf } from '@app/common';
import type { SignedIn } from '../accounts/auth.guard.js';
import type { NotificationPageDto, UnreadCountDto } from './notifications.dto.js';
import { NotificationsRepository } from './notifications.repository.js';

export const NOTIFICATIONS_CONSUMER = 'ingest-app.notifications';

type DeliveryEvent = EventOf<typeof TOPICS.deliveryEvents>;

/** The signed-in citizen's in-app notifications: recorded from the notifier's events, listed and marked read. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly processed: ProcessedMessages,
    private readonly repository: NotificationsRepository,
  ) {}

  /** Only `AppNotificationCreated` concerns the citizen; the other delivery outcomes are the desk's. */
  async apply(event: DeliveryEvent): Promise<boolean> {
    if (event.type !== 'AppNotificationCreated') return false;
    const p = event.payload;
    return this.processed.once(NOTIFICATIONS_CONSUMER, TOPICS.deliveryEvents.name, event, (manager) =>
      this.repository.insert(manager, {
        messageId: p.messageId,
        accountId: p.userId,
        inquiryId: p.inquiryId,
        purpose: p.purpose,
        title: p.title,
        body: p.text,
        link: p.link,
        createdAt: p.at,
      }),
    );
  }

  async list(citizen: SignedIn, page = 1, pageSize = 20, unreadOnly = false): Promise<NotificationPageDto> {
    const { rows, total, unread } = await this.repository.list(citizen.accountId, unreadOnly, pageSize, (page - 1) * pageSize);
    return {
      items: rows.map((r) => ({
        id: r.message_id,
        inquiryId: r.inquiry_id ?? undefined,
        purpose: r.purpose,
        title: r.title,
        text: r.body,
        link: r.link,
        createdAt: new Date(r.created_at).toISOString(),
        read: r.read_at !== null,
      })),
      total,
      unread,
      page,
      pageSize,
    };
  }

  async markRead(citizen: SignedIn, ids: string[] | undefined): Promise<UnreadCountDto> {
    return { unread: await this.repository.markRead(citizen.accountId, ids) };
  }
}
