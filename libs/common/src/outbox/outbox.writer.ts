import type { EntityManager } from 'typeorm';
import { newEnvelope, type Envelope } from '../contracts/envelope.js';
import type { EventType, PayloadOf, TopicContract } from '../contracts/topic-contract.js';
import { validateEvent } from '../contracts/validate.js';
import { writeBehind } from '../database/opened-transaction.js';
import { currentTrace } from '../logging/trace-context.js';

export const outboxChannel = (schema: string): string => `wz_outbox_${schema}`;

/**
 * A transaction that NOTIFYs holds PostgreSQL's notification-queue lock through its commit, so notifying
 * transactions commit one at a time. A writer therefore notifies at most once per interval: the relay it wakes
 * keeps polling quickly for a while after every batch (OutboxRelay's active window is longer than this).
 */
export const NOTIFY_INTERVAL_MS = 50;

/**
 * Writes events into the outbox inside the caller's transaction, so the business rows and the events they
 * imply commit together or not at all (DESIGN rule 2). The contract is checked here: an invalid event
 * fails the caller's transaction instead of reaching Kafka.
 */
export class OutboxWriter {
  private lastNotify = 0;

  constructor(
    private readonly source: string,
    private readonly schema: string,
  ) {}

  async append<C extends TopicContract, T extends EventType<C>>(
    manager: EntityManager,
    contract: C,
    type: T,
    payload: PayloadOf<C, T>,
  ): Promise<Envelope<PayloadOf<C, T>>> {
    const [envelope] = await this.appendMany(manager, contract, [{ type, payload }]);
    return envelope as Envelope<PayloadOf<C, T>>;
  }

  async appendMany<C extends TopicContract>(
    manager: EntityManager,
    contract: C,
    /** `traceId` per event when one transaction handles events of several traces (a consumer batch). */
    events: { type: EventType<C>; payload: PayloadOf<C>; traceId?: string }[],
  ): Promise<Envelope[]> {
    if (events.length === 0) return [];
    const current = currentTrace()?.traceId;
    const envelopes = events.map((e) =>
      validateEvent(contract, newEnvelope({ type: e.type, payload: e.payload, source: this.source, traceId: e.traceId ?? current })),
    );
    const params: string[] = [];
    const rows = envelopes.map((e, i) => {
      params.push(e.id, contract.name, contract.keyOf(e.payload as never), e.type, JSON.stringify(e));
      const b = i * 5;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
    });
    // The NOTIFY (transactional: it wakes the relay at commit time) rides on the INSERT, so an append stays
    // one statement; it is left out when this writer notified a moment ago (see NOTIFY_INTERVAL_MS). Nothing
    // reads the outbox in the writer's transaction, so the statement may wait for the next one (`writeBehind`).
    const insert = `INSERT INTO outbox (event_id, topic, message_key, event_type, envelope) VALUES ${rows.join(', ')}`;
    const now = Date.now();
    if (now - this.lastNotify >= NOTIFY_INTERVAL_MS) {
      this.lastNotify = now;
      params.push(outboxChannel(this.schema));
      await writeBehind(manager, {
        text: `WITH rows AS (${insert} RETURNING 1) SELECT pg_notify($${params.length}, '') FROM (SELECT count(*) FROM rows) AS inserted`,
        values: params,
      });
    } else {
      await writeBehind(manager, { text: insert, values: params });
    }
    return envelopes;
  }
}
