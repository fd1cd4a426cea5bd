import { Injectable } from '@nestjs/common';
import { OutboxWriter, ProcessedMessages, TOPICS, type Envelope, type InquirySubmitted } from '@app/common';
import { IntakeRepository } from './intake.repository.js';

export const INTAKE_CONSUMER = 'router.intake';

/** Turns a submitted inquiry into a case and announces it (`Received`) in the same transaction. */
@Injectable()
export class IntakeService {
  constructor(
    private readonly processed: ProcessedMessages,
    private readonly outbox: OutboxWriter,
    private readonly repository: IntakeRepository,
  ) {}

  async receive(event: Envelope<InquirySubmitted>): Promise<boolean> {
    const inquiry = event.payload;
    return this.processed.once(INTAKE_CONSUMER, TOPICS.inquirySubmitted.name, event, async (manager) => {
      if (!(await this.repository.insertCase(manager, inquiry))) return;
      await this.outbox.append(manager, TOPICS.caseEvents, 'Received', {
        inquiryId: inquiry.inquiryId,
        at: new Date().toISOString(),
        actor: 'system',
        channel: inquiry.channel,
        trackingNo: inquiry.trackingNo,
        title: inquiry.title,
        content: inquiry.content,
        receivedAt: inquiry.receivedAt,
      });
    });
  }
}
