import { Injectable } from '@nestjs/common';
import { OutboxWriter, ProcessedMessages, TOPICS, type Envelope, type InquirySubmitted } from '@app/common';
import { CaseEventBatch } from '../cases/case-event-batch.js';
import { RoutingService } from '../routing/routing.service.js';
import { IntakeRepository } from './intake.repository.js';

export const INTAKE_CONSUMER = 'router.intake';

/**
 * Turns submitted inquiries into cases, announces them (`Received`), classifies them and assigns them or queues
 * them for the desk — one transaction per consumer batch, so a redelivered inquiry finds its message id and
 * does nothing twice.
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
    return (await this.receiveMany([event])) > 0;
  }

  /** Returns how many of the events were new. */
  async receiveMany(batch: Envelope<InquirySubmitted>[]): Promise<number> {
    const fresh = await this.receiveOnce(batch).catch((error: unknown) => {
      this.routing.forgetUncommitted();
      throw error;
    });
    return fresh.length;
  }

  private receiveOnce(batch: Envelope<InquirySubmitted>[]): Promise<Envelope<InquirySubmitted>[]> {
    return this.processed.onceEach(INTAKE_CONSUMER, TOPICS.inquirySubmitted.name, batch, async (manager, events) => {
      const created = await this.repository.insertCases(manager, events.map((e) => e.payload));
      const inquiries = events.map((e) => e.payload).filter((i) => created.delete(i.inquiryId));
      if (inquiries.length === 0) return;
      const caseEvents = new CaseEventBatch();
      const at = new Date().toISOString();
      for (const inquiry of inquiries) {
        caseEvents.add('Received', {
          inquiryId: inquiry.inquiryId,
          at,
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
      }
      await this.routing.routeNewCases(manager, caseEvents, inquiries);
      const traces = new Map(events.map((e) => [e.payload.inquiryId, e.traceId]));
      await caseEvents.flush(this.outbox, manager, (inquiryId) => traces.get(inquiryId));
    });
  }
}
