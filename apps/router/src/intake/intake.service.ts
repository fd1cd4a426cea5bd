import { Injectable } from '@nestjs/common';
import { OutboxWriter, ProcessedMessages, TOPICS, type Envelope, type InquirySubmitted } from '@app/common';
import { CaseEventBatch } from '../cases/case-event-batch.js';
import { RoutingService } from '../routing/routing.service.js';
import { IntakeRepository } from './intake.repository.js';

export const INTAKE_CONSUMER = 'router.intake';

/**
 * Turns a submitted inquiry into a case, announces it (`Received`), classifies it and assigns it or queues
 * it for the desk — one transaction, so a redelivered inquiry finds its message id and does nothing twice.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly processed: ProcessedMessages,
    private readonly outbox: OutboxWriter,
    private readonly repository: IntakeRepository,
    private readonly routing: RoutingService,
  ) {}

  async receive(event: Envelope<InquirySubmitted>): Promise<boolean> {
    const inquiry = event.payload;
    return this.processed.once(INTAKE_CONSUMER, TOPICS.inquirySubmitted.name, event, async (manager) => {
      if (!(await this.repository.insertCase(manager, inquiry))) return;
      const events = new CaseEventBatch();
      events.add('Received', {
        inquiryId: inquiry.inquiryId,
        at: new Date().toISOString(),
        actor: 'system',
        channel: inquiry.channel,
        trackingNo: inquiry.trackingNo,
        title: inquiry.title,
        content: inquiry.content,
        receivedAt: inquiry.receivedAt,
        citizen: inquiry.citizen,
        ...(inquiry.attachments.length ? { attachments: inquiry.attachments } : {}),
        ...(inquiry.weiboThread ? { weiboThread: inquiry.weiboThread } : {}),
      });
      await this.routing.routeNewCase(manager, events, inquiry);
      await events.flush(this.outbox, manager);
    });
  }
}
