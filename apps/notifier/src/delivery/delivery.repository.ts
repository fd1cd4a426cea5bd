import { Injectable } from '@nestjs/common';
import { writeBehind } from '@app/common';
import type { Statement } from '@app/common/database/pipeline.js';
import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryChannel, Message } from '../senders/sender.js';
import { returnedRows } from '../sql.js';

type Runner = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

/** One message to send, as planned in the consumer's transaction. */
export interface DeliveryIntent {
  /** Unique per message: the same event planned twice yields the same keys, and the second insert is a no-op. */
  key: string;
  messageId: string;
  inquiryId?: string;
  purpose: string;
  recipient: string;
  message: Message;
  notBefore?: Date;
}

export interface DeliveryRow {
  id: string;
  idempotencyKey: string;
  messageId: string;
  inquiryId?: string;
  channel: DeliveryChannel;
  purpose: string;
  recipient: string;
  message: Message;
  attempts: number;
  /** The vendor call of this claim began (`markCallStarted`): recovery must not send it again. */
  callStarted: boolean;
}

const toRow = (r: Record<string, any>): DeliveryRow => ({
  id: r.id,
  idempotencyKey: r.idempotency_key,
  messageId: r.message_id,
  inquiryId: r.inquiry_id ?? undefined,
  channel: r.channel,
  purpose: r.purpose,
  recipient: r.recipient,
  message: r.message,
  attempts: r.attempts,
  callStarted: r.call_started_at != null,
});

/**
 * The persisted send queue. Rows are claimed with FOR UPDATE SKIP LOCKED (several instances share the queue)
 * and leased; every later update checks the lease it holds (status 'sending' and its attempt number), so a
 * row recovered from a dead instance and claimed again is never finished twice.
 */
@Injectable()
export class DeliveryRepository {
  /** One statement for all of an event's intents; an already planned key is skipped. Returns how many are new. */
  async plan(m: Runner, intents: DeliveryIntent[]): Promise<number> {
    if (intents.length === 0) return 0;
    const { text, values } = this.planStatement(intents);
    return (await m.query(text, values)).length;
  }

  /**
   * `plan` written behind: in a consumer's transaction the insert travels with the transaction's next statement or
   * its COMMIT; `planned` gets how many are new once it has run.
   */
  async planBehind(m: EntityManager, intents: DeliveryIntent[], planned: (count: number) => void): Promise<void> {
    if (intents.length > 0) await writeBehind(m, this.planStatement(intents), (result) => planned(result.rows.length));
  }

  /** One text for any number of intents, so it is prepared once (a `VALUES` list would be a new text per count). */
  private planStatement(intents: DeliveryIntent[]): Statement {
    return {
      text: `INSERT INTO deliveries (idempotency_key, message_id, inquiry_id, channel, purpose, recipient, message, next_attempt_at)
             SELECT key, message_id, inquiry_id, channel, purpose, recipient, message, coalesce(not_before, now())
               FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[])
                 AS x (key, message_id, inquiry_id, channel, purpose, recipient, message, not_before)
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1`,
      values: [
        intents.map((i) => i.key),
        intents.map((i) => i.messageId),
        intents.map((i) => i.inquiryId ?? null),
        intents.map((i) => i.message.channel),
        intents.map((i) => i.purpose),
        intents.map((i) => i.recipient),
        intents.map((i) => JSON.stringify(i.message)),
        intents.map((i) => i.notBefore?.toISOString() ?? null),
      ],
    };
  }

  async claim(ds: Runner, batch: number, leaseMs: number): Promise<DeliveryRow[]> {
    const rows = await ds.query(
      `WITH due AS (
         SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, waiting_window = false, call_started_at = NULL,
              lease_until = now() + make_interval(secs => $2::float / 1000)
         FROM due WHERE d.id = due.id
       RETURNING d.*`,
      [batch, leaseMs],
    );
    return returnedRows(rows).map(toRow);
  }

  /**
   * Records, committed, that the vendor call of this claim begins, and in which mode (so an uncertain row says
   * what the citizen may have got); false when the claim is no longer held (the call must not be made). For
   * channels without an idempotency key, where only such a call can be uncertain.
   */
  async markCallStarted(m: Runner, row: DeliveryRow, mode: string | undefined): Promise<boolean> {
    const rows = await m.query(
      `UPDATE deliveries SET call_started_at = now(), mode = $3 WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING 1`,
      [row.id, row.attempts, mode ?? null],
    );
    return returnedRows(rows).length > 0;
  }

  async markSent(m: Runner, row: DeliveryRow, vendorRef: string | undefined, mode: string | undefined): Promise<boolean> {
    const { text, values } = this.markSentStatement(row, vendorRef, mode);
    return returnedRows(await m.query(text, values)).length > 0;
  }

  /** `markSent` as a statement returning a row when it marked (for an event conditional on it). */
  markSentStatement(row: DeliveryRow, vendorRef: string | undefined, mode: string | undefined): Statement {
    return this.finishStatement(row, `status = 'sent', sent_at = now(), vendor_ref = $3, mode = $4, last_error = NULL`, [vendorRef ?? null, mode ?? null]);
  }

  async reschedule(m: Runner, row: DeliveryRow, delayMs: number, error: string, waitingWindow = false): Promise<boolean> {
    return this.finish(
      m,
      row,
      `status = 'pending', next_attempt_at = now() + make_interval(secs => $3::float / 1000), last_error = $4, waiting_window = $5`,
      [delayMs, error.slice(0, 2000), waitingWindow],
    );
  }

  async markDead(m: Runner, row: DeliveryRow, error: string, status: 'dead' | 'uncertain' = 'dead'): Promise<boolean> {
    return this.finish(m, row, `status = $3, last_error = $4`, [status, error.slice(0, 2000)]);
  }

  /**
   * Queues a dead (or uncertain) delivery again, with the same delivery id, from its first attempt. False when
   * the row is unknown or not dead (already replayed, or still being worked on).
   */
  async requeueDead(m: Runner, messageId: string): Promise<boolean> {
    const rows = await m.query(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), waiting_window = false, lease_until = NULL,
              last_error = 'replayed from the dead letter: ' || coalesce(last_error, '')
        WHERE message_id = $1 AND status IN ('dead', 'uncertain') RETURNING 1`,
      [messageId],
    );
    return returnedRows(rows).length > 0;
  }

  async findByMessageId(m: Runner, messageId: string): Promise<{ status: string } | undefined> {
    const [row] = await m.query(`SELECT status FROM deliveries WHERE message_id = $1`, [messageId]);
    return row;
  }

  /** Rows whose sender never reported back (the instance died mid-send). */
  async expiredLeases(m: Runner, limit: number): Promise<DeliveryRow[]> {
    const rows = await m.query(
      `SELECT * FROM deliveries WHERE status = 'sending' AND lease_until < now() ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return (rows as Record<string, any>[]).map(toRow);
  }

  /** Survey prompts are moot once the citizen rated or the case closed. Written behind (see `planBehind`). */
  async cancelSurveys(m: EntityManager, inquiryId: string): Promise<void> {
    await writeBehind(m, {
      text: `UPDATE deliveries SET status = 'cancelled' WHERE inquiry_id = $1 AND status = 'pending'
                AND purpose IN ('survey', 'survey_reminder')`,
      values: [inquiryId],
    });
  }

  /** The citizens acted again: messages waiting for their windows are due now. Written behind (see `planBehind`). */
  async wakeWaiting(m: EntityManager, recipients: string[]): Promise<void> {
    if (recipients.length === 0) return;
    await writeBehind(m, {
      text: `UPDATE deliveries SET next_attempt_at = now() WHERE status = 'pending' AND waiting_window AND recipient = ANY($1::text[])`,
      values: [recipients],
    });
  }

  private async finish(m: Runner, row: DeliveryRow, set: string, params: unknown[]): Promise<boolean> {
    const { text, values } = this.finishStatement(row, set, params);
    return returnedRows(await m.query(text, values)).length > 0;
  }

  private finishStatement(row: DeliveryRow, set: string, params: unknown[]): Statement {
    return {
      text: `UPDATE deliveries SET ${set}, lease_until = NULL WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING 1`,
      values: [row.id, row.attempts, ...params],
    };
  }
}
