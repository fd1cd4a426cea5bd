import { Injectable } from '@nestjs/common';
import { ProcessedMessages, TOPICS, type EventOf } from '@app/common';
import { findSelfNames, maskPublicText } from '@app/common/privacy/mask.js';
import type { EntityManager } from 'typeorm';
import { ReadModelBatch } from './read-model.batch.js';
import { ReadModelRepository } from './read-model.repository.js';

export const READ_MODEL_CONSUMER = 'ingest-app.read-model';

export type CaseEvent = EventOf<typeof TOPICS.caseEvents>;

/**
 * Builds what citizens and the public portal read from the router's case events: one row per case
 * (`case_views`) and its citizen-facing timeline. Each event is applied once (processed_messages).
 */
@Injectable()
export class ReadModelService {
  constructor(
    private readonly processed: ProcessedMessages,
    private readonly repository: ReadModelRepository,
  ) {}

  async apply(event: CaseEvent): Promise<boolean> {
    return (await this.applyMany([event])) > 0;
  }

  /** A consumer batch in one transaction, each event once and in order; returns how many were new. */
  async applyMany(events: CaseEvent[]): Promise<number> {
    const fresh = await this.processed.onceEach(READ_MODEL_CONSUMER, TOPICS.caseEvents.name, events, async (manager, fresh) => {
      // The masking of every new case in the batch needs its anonymity: one read for all of them.
      const received = fresh.filter((e) => e.type === 'Received').map((e) => e.payload.inquiryId);
      const anonymous = await this.repository.anonymities(manager, received);
      const batch = new ReadModelBatch(manager, this.repository);
      for (const event of fresh) await this.project(manager, batch, event, anonymous);
      await batch.flush();
    });
    return fresh.length;
  }

  /** The citizen's question, with what the batch gathered for the case written first. */
  private async question(manager: EntityManager, batch: ReadModelBatch, inquiryId: string): Promise<string> {
    await batch.settle(inquiryId);
    return this.repository.question(manager, inquiryId);
  }

  /** `anonymous`: the anonymity of the batch's new cases (absent: not submitted here, masked as anonymous). */
  private async project(manager: EntityManager, batch: ReadModelBatch, event: CaseEvent, anonymous: Map<string, boolean>): Promise<void> {
    const p = event.payload;
    const view = (changes: Record<string, unknown>) => batch.view(p.inquiryId, changes);
    const timeline = (detail: object = {}) => batch.addTimeline({ eventId: event.id, inquiryId: p.inquiryId, type: event.type, at: p.at, detail });
    switch (event.type) {
      case 'Received': {
        const r = event.payload;
        const mask = { anonymous: anonymous.get(p.inquiryId) ?? true };
        view({
          tracking_no: r.trackingNo ?? null,
          channel: r.channel,
          title: r.title ?? null,
          content: r.content,
          public_title: r.title ? maskPublicText(r.title, mask) : null,
          public_content: maskPublicText(r.content, mask),
          received_at: r.receivedAt,
        });
        return timeline();
      }
      case 'Classified':
        return view({ category: event.payload.category, area: event.payload.area ?? null });
      case 'QueuedForDesk':
        return view({ status: 'queued_for_desk' });
      case 'Assigned': {
        const a = event.payload;
        view({ status: 'assigned', unit_id: a.unitId, unit_name: a.unitName, reply_deadline: a.replyDeadline });
        return timeline({ unitName: a.unitName });
      }
      case 'Accepted':
        view({ status: 'accepted', unit_id: event.payload.unitId, unit_name: event.payload.unitName });
        return timeline({ unitName: event.payload.unitName });
      case 'Returned':
        // The unit disputes the routing; the desk decides. Citizens see the case as being routed again.
        view({ status: 'queued_for_desk', unit_id: null, unit_name: null });
        return;
      case 'ExtensionGranted':
        view({ reply_deadline: event.payload.replyDeadline });
        return timeline({ replyDeadline: event.payload.replyDeadline });
      case 'ReplyPosted': {
        const r = event.payload;
        // The reply often repeats the citizen's name from the question ("经调查：陈某某，…").
        const mask = {
          anonymous: await this.repository.anonymity(manager, p.inquiryId),
          knownNames: findSelfNames(await this.question(manager, batch, p.inquiryId)),
        };
        view({
          status: 'replied',
          unit_id: r.unitId,
          unit_name: r.unitName,
          reply_text: r.text,
          public_reply: maskPublicText(r.text, mask),
          replied_at: r.at,
          reply_on_time: r.onTime,
        });
        return timeline({ unitName: r.unitName, text: r.text });
      }
      case 'FeedbackRecorded':
        view({ status: 'rated', rating: event.payload.rating, rating_comment: event.payload.comment ?? null });
        return timeline({ rating: event.payload.rating });
      case 'Reopened':
        view({ status: 'reopened' });
        return timeline({ reason: event.payload.reason });
      case 'Merged':
        view({ status: 'merged', merged_into: event.payload.intoInquiryId });
        return timeline();
      case 'Rejected':
        view({ status: 'rejected', reason: event.payload.reason });
        return timeline({ reason: event.payload.reason });
      case 'Closed':
        view({ status: 'closed', closed_at: event.payload.at });
        return timeline();
      case 'AttachmentsPublished':
        await batch.settle(p.inquiryId);
        return this.repository.addPhotos(manager, p.inquiryId, event.payload.objectKeys);
      case 'AttachmentsWithdrawn':
        await batch.settle(p.inquiryId);
        return this.repository.removePhotos(manager, p.inquiryId, event.payload.objectKeys);
      case 'PublicTextMasked':
        // The desk's masking starts from the automatic mask and only adds to it; the original stays private.
        return view({ public_title: event.payload.title ?? null, public_content: event.payload.content });
      case 'InfoRequested':
        return timeline({ question: event.payload.question });
      case 'Claimed':
      case 'SlaWarning':
      case 'SlaBreached':
      case 'ExtensionRequested':
      case 'ExtensionRefused':
      case 'PartReplied':
      case 'NoteAdded':
      case 'ReplyFlagged':
      case 'UnitContactsChanged':
        // Internal clocks and the desk's and units' own work: not part of the citizen's timeline.
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  }
}
