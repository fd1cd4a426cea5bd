import { Injectable } from '@nestjs/common';
import { InjectLogger, ProcessedMessages, TOPICS, type EventOf } from '@app/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { ContactsRepository, type AssignedCase, type CaseContact, type UnitContact } from '../contacts/contacts.repository.js';
import { DeliveryRepository, type DeliveryIntent } from '../delivery/delivery.repository.js';
import { DispatcherService } from '../delivery/dispatcher.service.js';
import { NotificationPlanner } from './notification.planner.js';
import { assignmentBatch, assignmentOf, caseOfReceived, coUnitIdsOf, unitsOf, type AssignedPayload, type AssignmentBatch } from './assignment-batch.js';

export const CONSUMERS = {
  cases: 'notifier.cases',
  outbound: 'notifier.outbound',
  interactions: 'notifier.interactions',
  submitted: 'notifier.submitted',
} as const;

type CaseEvent = EventOf<typeof TOPICS.caseEvents>;
type OutboundEvent = EventOf<typeof TOPICS.channelOutbound>;
type InteractionEvent = EventOf<typeof TOPICS.inquiryInteraction>;
type SubmittedEvent = EventOf<typeof TOPICS.inquirySubmitted>;

/**
 * Keeps the read models and plans deliveries, in the consumer's transaction: the processed-message row, the
 * read-model change and the delivery rows commit together, so a redelivered event plans nothing twice.
 * Writes nothing here reads back are written behind, so a batch costs a round trip per read, not per row.
 * Sending is the dispatcher's job, from the persisted queue.
 */
@Injectable()
export class NotificationService {
  constructor(
    private readonly processed: ProcessedMessages,
    private readonly contacts: ContactsRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly planner: NotificationPlanner,
    private readonly dispatcher: DispatcherService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onCaseEvent(event: CaseEvent): Promise<number> {
    return this.onCaseEvents([event]);
  }

  /** A consumer batch in one transaction; returns how many deliveries were planned. */
  async onCaseEvents(events: CaseEvent[]): Promise<number> {
    let planned = 0;
    const count = (n: number): void => void (planned += n);
    await this.processed.onceEach(CONSUMERS.cases, TOPICS.caseEvents.name, events, async (m, fresh) => {
      const batch = assignmentBatch(fresh);
      if (batch) await this.planTogether(m, batch, count);
      else for (const event of fresh) await this.deliveries.planBehind(m, await this.planCaseEvent(m, event), count);
    });
    if (planned) this.dispatcher.poke();
    return planned;
  }

  /** A batch of `Received` and `Assigned` events (`assignmentBatch`): three statements, whatever its size. */
  private async planTogether(m: EntityManager, batch: AssignmentBatch, count: (n: number) => void): Promise<void> {
    await this.contacts.saveCases(m, batch.received.map((e) => caseOfReceived(e.payload)));
    if (batch.assigned.length === 0) return;
    const known = await this.contacts.assignCases(m, batch.assigned.map((e) => assignmentOf(e.payload)), batch.unitUpdates, batch.unitIds);
    await this.deliveries.planBehind(m, batch.assigned.flatMap((e) => this.planAssigned(e.id, e.payload, known)), count);
  }

  /**
   * The citizen's channel identity straight from the ingestors, so replies do not depend on the router
   * copying it into `Received` (it may; both are merged).
   */
  onSubmitted(event: SubmittedEvent): Promise<void> {
    return this.onSubmittedMany([event]);
  }

  async onSubmittedMany(events: SubmittedEvent[]): Promise<void> {
    await this.processed.onceEach(CONSUMERS.submitted, TOPICS.inquirySubmitted.name, events, async (m, fresh) => {
      const cases: CaseContact[] = fresh.map(({ payload: p }) => ({
        inquiryId: p.inquiryId,
        trackingNo: p.trackingNo,
        title: p.title,
        content: p.content,
        receivedAt: p.receivedAt,
        attachments: p.attachments,
        citizen: p.citizen,
      }));
      // One statement for the batch, unless an inquiry comes twice (one statement cannot upsert a row twice).
      if (new Set(cases.map((c) => c.inquiryId)).size === cases.length) await this.contacts.saveCases(m, cases);
      else for (const c of cases) await this.contacts.saveCase(m, c);
    });
  }

  onOutbound(event: OutboundEvent): Promise<number> {
    return this.onOutboundMany([event]);
  }

  async onOutboundMany(events: OutboundEvent[]): Promise<number> {
    let planned = 0;
    await this.processed.onceEach(CONSUMERS.outbound, TOPICS.channelOutbound.name, events, async (m, fresh) => {
      for (const { payload: p } of fresh) {
        const known = p.inquiryId ? await this.contacts.findCase(m, p.inquiryId) : undefined;
        await this.deliveries.planBehind(m, this.planner.outbound(p, known), (n) => (planned += n));
      }
    });
    if (planned) this.dispatcher.poke();
    return planned;
  }

  onInteraction(event: InteractionEvent): Promise<void> {
    return this.onInteractions([event]);
  }

  async onInteractions(events: InteractionEvent[]): Promise<void> {
    await this.processed.onceEach(CONSUMERS.interactions, TOPICS.inquiryInteraction.name, events, async (m, fresh) => {
      if (fresh.length > 1 && fresh.every((e) => e.type === 'ChannelActivity' || e.type === 'InformationAdded')) await this.recordActivities(m, fresh);
      else for (const event of fresh) await this.applyInteraction(m, event);
    });
    this.dispatcher.poke();
  }

  /** A batch of nothing but activity (messages, menu clicks, follows): two statements, whatever its size. */
  private async recordActivities(m: EntityManager, events: InteractionEvent[]): Promise<void> {
    const woken = new Set<string>();
    const reports = events.map((e) => {
      const { citizen, at } = e.payload;
      const kind = e.type === 'ChannelActivity' ? (e.payload.kind ?? 'message') : 'message';
      if (e.type === 'ChannelActivity' && kind !== 'unfollow') woken.add(`${citizen.channel}:${citizen.externalUserId}`);
      return { channel: citizen.channel, externalUserId: citizen.externalUserId, at, kind };
    });
    await this.contacts.recordActivities(m, reports);
    await this.deliveries.wakeWaiting(m, [...woken]);
  }

  private async applyInteraction(m: EntityManager, event: InteractionEvent): Promise<void> {
    const { citizen, at } = event.payload;
    switch (event.type) {
      case 'ChannelActivity':
        await this.contacts.recordActivity(m, citizen.channel, citizen.externalUserId, at, event.payload.kind ?? 'message');
        if (event.payload.kind !== 'unfollow') await this.deliveries.wakeWaiting(m, [`${citizen.channel}:${citizen.externalUserId}`]);
        break;
      case 'InformationAdded':
        // A citizen's message is activity too: it opens the window as a message would.
        await this.contacts.recordActivity(m, citizen.channel, citizen.externalUserId, at, 'message');
        break;
      case 'RatingGiven':
        await this.contacts.recordActivity(m, citizen.channel, citizen.externalUserId, at, 'message');
        await this.deliveries.cancelSurveys(m, event.payload.inquiryId);
        break;
      case 'Withdrawn':
        await this.deliveries.cancelSurveys(m, event.payload.inquiryId);
        break;
      default:
        break; // interaction types added later mean nothing to the notifier until it learns them
    }
  }

  /**
   * The notices of an assignment: to the unit, and one per co-handling unit with the contacts the event carries
   * (`coUnits`) or, for an older event that names only `coUnitIds`, the latest copy this read model has.
   */
  private planAssigned(
    eventId: string,
    p: AssignedPayload,
    known: { cases: Map<string, AssignedCase>; units: Map<string, UnitContact> },
  ): DeliveryIntent[] {
    const { contact: c, previousUnitId } = known.cases.get(p.inquiryId)!;
    const unit = known.units.get(p.unitId);
    if (!unit) this.logger.warn({ inquiryId: p.inquiryId, unitId: p.unitId }, 'assigned to a unit with no known contacts; no notice sent');
    const intents = [...this.planner.assigned(eventId, p, c, unit, !!previousUnitId && previousUnitId !== p.unitId)];
    for (const id of coUnitIdsOf(p)) {
      const co = known.units.get(id);
      if (!co) this.logger.warn({ inquiryId: p.inquiryId, unitId: id }, 'co-handling unit with no known contacts; no notice sent');
      else intents.push(...this.planner.coHandling(eventId, p, c, co));
    }
    return intents;
  }

  private async planCaseEvent(m: EntityManager, event: CaseEvent): Promise<DeliveryIntent[]> {
    const inquiryId = event.payload.inquiryId;
    switch (event.type) {
      case 'Received':
        await this.contacts.saveCase(m, caseOfReceived(event.payload));
        return [];
      case 'Assigned': {
        const p = event.payload;
        const { updates, ids } = unitsOf(p);
        return this.planAssigned(event.id, p, await this.contacts.assignCases(m, [assignmentOf(p)], updates, ids));
      }
      case 'SlaWarning':
      case 'SlaBreached': {
        const c = await this.contacts.findCase(m, inquiryId);
        if (!c) return [];
        const unit = c.unitId ? await this.contacts.findUnit(m, c.unitId) : undefined;
        return this.planner.sla(event.id, event.type, event.payload, c, unit);
      }
      case 'ReplyPosted': {
        const c = await this.contacts.findCase(m, inquiryId);
        if (!c?.citizen) {
          this.logger.warn({ inquiryId }, 'reply posted for a case with no known citizen channel; nothing sent');
          return [];
        }
        // A reply after reopening asks for a new rating: earlier prompts are moot.
        await this.deliveries.cancelSurveys(m, inquiryId);
        return this.planner.reply(event, c, new Date());
      }
      case 'Rejected': {
        const c = await this.contacts.findCase(m, inquiryId);
        return c ? this.planner.rejected(event.id, event.payload.reason, c) : [];
      }
      case 'UnitContactsChanged': {
        // A unit registered or removed its webhook: keep the latest contacts for its next notice.
        const p = event.payload;
        await this.contacts.saveUnit(m, p.unitId, p.unitName, p.unitContacts);
        return [];
      }
      case 'FeedbackRecorded':
      case 'Closed':
      case 'Merged':
        await this.deliveries.cancelSurveys(m, inquiryId);
        return [];
      default:
        // (A type handled above is listed in PLANNED_CASE_EVENTS.)
        // Every other step (Classified, Accepted, Returned, Claimed, InfoRequested — whose question comes on
        // channel.outbound.v1 — …) tells nobody; new event types added to the topic are ignored the same way.
        return [];
    }
  }
}
