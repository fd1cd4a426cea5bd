import type { DataSource, EntityManager } from 'typeorm';
import type { Envelope } from '../contracts/envelope.js';
import { transactionOpenedWith } from '../database/opened-transaction.js';

/**
 * Makes a consumer's effect happen once per message (DESIGN rule 3): the message id is recorded in the same
 * transaction as the effect, so a redelivered message finds its id and does nothing. A concurrent
 * duplicate waits on the primary key until the first commits, then skips.
 */
export class ProcessedMessages {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `effect` in a transaction unless `consumer` already processed this event; true when it ran. */
  async once(
    consumer: string,
    topic: string,
    event: Pick<Envelope, 'id'>,
    effect: (manager: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    return (await this.onceEach(consumer, topic, [event], (manager) => effect(manager))).length > 0;
  }

  /**
   * The batch form of `once`: one transaction for many messages; `effect` gets those not processed before
   * (each id once, in the order given). Nothing runs when all were processed already.
   */
  async onceEach<E extends Pick<Envelope, 'id'>>(
    consumer: string,
    topic: string,
    events: E[],
    effect: (manager: EntityManager, fresh: E[]) => Promise<void>,
  ): Promise<E[]> {
    // BEGIN and the bookkeeping insert take one round trip; the effect's outbox rows go with COMMIT.
    const record = {
      text: `INSERT INTO processed_messages (consumer, message_id, topic) SELECT $1, unnest($2::text[]), $3
             ON CONFLICT DO NOTHING RETURNING message_id AS id`,
      values: [consumer, events.map((e) => e.id), topic],
    };
    return transactionOpenedWith(this.dataSource, [record], async (manager, [inserted]) => {
      const pending = new Set((inserted as { id: string }[]).map((r) => r.id));
      const fresh = events.filter((e) => pending.delete(e.id));
      if (fresh.length > 0) await effect(manager, fresh);
      return fresh;
    });
  }
}
