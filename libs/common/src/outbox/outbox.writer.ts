import type { EntityManager } from 'typeorm';
import { newEnvelope, type Envelope } from '../contracts/envelope.js';
import type { EventType, PayloadOf, TopicContract } from '../contracts/topic-contract.js';
import { validateEvent } from '../contracts/validate.js';
import { writeBehind } from '../database/opened-transaction.js';
import type { Statement } from '../database/pipeline.js';
import { currentTrace } from '../logging/trace-context.js';

export const outboxChannel = (schema: string): string => `wz_outbox_${schema}`;

/**
 * A transaction that NOTIFYs holds PostgreSQL's notification-queue lock through its commit, so notifying
 * transactions commit one at a time. A writer therefore notifies at most once per interval: the relay it wakes
 * keeps polling quickly for a while after every batch (OutboxRelay's active window is longer than this).
 */
export const NOTIFY_INTERVAL_MS = 50;

/** An event that is written only when a statement of the caller's says so, in the same statement. */
export interface AppendCondition {
  /** A data-modifying statement with RETURNING: the event is written when it returns a row. */
  onlyIf: Statement;
  /** Told, once the statement has run, whether the event was written. */
  written?: (written: boolean) => void;
}

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
    condition?: AppendCondition,
  ): Promise<Envelope<PayloadOf<C, T>>> {
    if (!condition) {
      const [envelope] = await this.appendMany(manager, contract, [{ type, payload }]);
      return envelope as Envelope<PayloadOf<C, T>>;
    }
    const envelope = this.envelopeOf(contract, type, payload, currentTrace()?.traceId);
    // The condition and the event are one statement, so a write nothing waits for stays a write-behind even
    // when whether to write depends on the database (a throttle, say).
    const { text, values = [] } = condition.onlyIf;
    const params = [...values, envelope.id, contract.name, contract.keyOf(payload as never), type, JSON.stringify(envelope)];
    const p = (i: number): string => `$${values.length + i}::text`;
    const insert = `INSERT INTO outbox (event_id, topic, message_key, event_type, envelope)
                    SELECT ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)} FROM (SELECT 1 FROM due LIMIT 1) AS d RETURNING 1`;
    const notify = this.notifyNow() ? `, pg_notify($${params.push(outboxChannel(this.schema))}, '')` : '';
    await writeBehind(manager, { text: `WITH due AS (${text}), rows AS (${insert}) SELECT count(*)::int AS written${notify} FROM rows`, values: params }, (result) =>
      condition.written?.(Number(result.rows[0]?.written) > 0),
    );
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
    const envelopes = events.map((e) => this.envelopeOf(contract, e.type, e.payload, e.traceId ?? current));
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
    if (this.notifyNow()) {
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

  private envelopeOf<C extends TopicContract>(contract: C, type: EventType<C>, payload: PayloadOf<C>, traceId: string | undefined): Envelope {
    return validateEvent(contract, newEnvelope({ type, payload, source: this.source, traceId }));
  }

  /** True at most once per NOTIFY_INTERVAL_MS. */
  private notifyNow(): boolean {
    const now = Date.now();
    if (now - this.lastNotify < NOTIFY_INTERVAL_MS) return false;
    this.lastNotify = now;
    return true;
  }
}
