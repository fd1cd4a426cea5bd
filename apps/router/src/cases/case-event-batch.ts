import { TOPICS, type EventType, type OutboxWriter, type PayloadOf } from '@app/common';
import type { EntityManager } from 'typeorm';

type CaseEvents = typeof TOPICS.caseEvents;

/**
 * The case events one transaction produces, written to the outbox in one statement at the end (intake writes
 * Received, Classified and Assigned for every case: one round trip instead of three). Order is kept.
 */
export class CaseEventBatch {
  private readonly events: { type: EventType<CaseEvents>; payload: PayloadOf<CaseEvents> }[] = [];

  add<T extends EventType<CaseEvents>>(type: T, payload: PayloadOf<CaseEvents, T>): void {
    this.events.push({ type, payload: payload as PayloadOf<CaseEvents> });
  }

  /** `traceOf` gives each case's trace when the batch holds cases of several inquiries (the intake's batches). */
  async flush(outbox: OutboxWriter, manager: EntityManager, traceOf?: (inquiryId: string) => string | undefined): Promise<void> {
    const events = this.events.splice(0);
    await outbox.appendMany(
      manager,
      TOPICS.caseEvents,
      traceOf ? events.map((e) => ({ ...e, traceId: traceOf(e.payload.inquiryId) })) : events,
    );
  }
}
