import pg from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { transactionOpenedWith, writeBehind } from '../database/opened-transaction.js';
import type { EventProducer, RawMessage } from '../kafka/event-producer.js';
import type { PlatformMetrics } from '../metrics/metrics.js';
import { NOTIFY_INTERVAL_MS, outboxChannel } from './outbox.writer.js';

/**
 * After a batch the relay polls every ACTIVE_POLL_MS for this long: writers skip the NOTIFY of a transaction that
 * follows another within NOTIFY_INTERVAL_MS, and such a transaction may take a while to commit under load.
 */
const ACTIVE_WINDOW_MS = Math.max(500, 10 * NOTIFY_INTERVAL_MS);
const ACTIVE_POLL_MS = 20;

export interface OutboxRelayOptions {
  schema: string;
  databaseUrl: string;
  batchSize: number;
  pollMs: number;
  /** Sent rows are kept this long for inspection, then deleted. */
  retentionHours?: number;
  /** Called after Kafka acknowledged a batch and before the rows are marked sent (fault tests use it). */
  afterSend?: (eventIds: string[]) => Promise<void> | void;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  event_type: string;
  envelope: string;
}

/**
 * Publishes the outbox to Kafka. A batch is read with FOR UPDATE SKIP LOCKED, sent with the idempotent
 * producer (acks=all) and marked sent in the same transaction. A crash between the send and the commit
 * re-sends the batch after restart: at-least-once, made exactly-once in effect by consumers that
 * deduplicate on the envelope id. One transaction-scoped advisory lock per schema keeps a single relay
 * active at a time, so events leave in commit order.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private listener?: pg.Client;
  private listenFailures = 0;
  private relistenTimer?: NodeJS.Timeout;
  private wake?: () => void;
  private notified = false;
  private lastCleanup = 0;
  private lastSent = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: EventProducer,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions,
    private readonly metrics?: PlatformMetrics,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen().catch((error: unknown) => {
      this.logger.warn({ err: String(error) }, 'outbox LISTEN failed; polling until it works');
      this.listenLater();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.relistenTimer);
    this.wake?.();
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /**
   * Publishes one batch; returns how many rows it sent. `probe`: look first with one cheap round trip whether
   * anything waits (the relay polls often while traffic flows); the loop skips it right after a batch that sent
   * something, when more is likely waiting.
   */
  async publishBatch(probe = true): Promise<number> {
    if (probe) {
      const pending: unknown[] = await this.dataSource.query('SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT 1');
      if (pending.length === 0) return 0;
    }
    // BEGIN, the relay's lock and the claim in one round trip: the lock is taken (once, as an init plan) before
    // any row is read, and without it the claim reads nothing. The mark travels with COMMIT.
    const claim = {
      text: `SELECT id, event_id, topic, message_key, event_type, envelope FROM outbox
              WHERE sent_at IS NULL AND (SELECT pg_try_advisory_xact_lock(hashtext($2)))
              ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      values: [this.options.batchSize, `wz.outbox.${this.options.schema}`],
    };
    return transactionOpenedWith(this.dataSource, [claim], async (manager, [claimed]) => {
      const rows = claimed as OutboxRow[];
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, RawMessage[]>();
      for (const row of rows) {
        const list = byTopic.get(row.topic) ?? [];
        list.push({ key: row.message_key, value: row.envelope, headers: { type: row.event_type } });
        byTopic.set(row.topic, list);
      }
      await this.producer.sendRawBatch([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      await this.options.afterSend?.(rows.map((r) => r.event_id));
      await writeBehind(manager, { text: 'UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])', values: [rows.map((r) => r.id)] });
      this.metrics?.outboxPublished.inc(rows.length);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    let sent = 0;
    while (this.running) {
      try {
        sent = await this.publishBatch(sent === 0);
        failures = 0;
        if (sent > 0) this.lastSent = Date.now();
        await this.housekeeping();
        if (sent < this.options.batchSize) {
          const active = Date.now() - this.lastSent < ACTIVE_WINDOW_MS;
          await this.idle(active ? Math.min(ACTIVE_POLL_MS, this.options.pollMs) : this.options.pollMs);
        }
      } catch (error) {
        failures++;
        sent = 0;
        const delay = Math.min(10000, 200 * 2 ** Math.min(failures, 6));
        this.logger.error({ err: String(error), failures, delay }, 'outbox relay failed; will retry');
        await this.idle(delay);
      }
    }
  }

  /** Waits for a notification or the poll interval; a notification that came while busy is not lost. */
  private idle(ms: number): Promise<void> {
    if (this.notified || !this.running) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.notified = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    const lost = (error?: Error): void => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      this.logger.warn({ err: error ? String(error) : 'connection ended' }, 'outbox listener connection lost; listening again');
      this.listenLater();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${outboxChannel(this.options.schema)}`);
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
    this.listenFailures = 0;
  }

  /**
   * Listens again with back-off after the listening connection was lost (a database restart, say) or could not be
   * opened. Until then the relay polls every `pollMs`; once listening it looks once, for rows committed meanwhile.
   */
  private listenLater(): void {
    if (!this.running || this.listener) return;
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.listenFailures++, 5));
    clearTimeout(this.relistenTimer);
    this.relistenTimer = setTimeout(() => {
      if (!this.running || this.listener) return;
      this.listen().then(
        () => {
          this.notified = true;
          this.wake?.();
        },
        (error: unknown) => {
          this.logger.warn({ err: String(error) }, 'outbox LISTEN failed; retrying');
          this.listenLater();
        },
      );
    }, delay);
  }

  private async housekeeping(): Promise<void> {
    if (Date.now() - this.lastCleanup < 10000) return;
    this.lastCleanup = Date.now();
    const [stats] = await this.dataSource.query(
      `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS lag
         FROM outbox WHERE sent_at IS NULL`,
    );
    this.metrics?.outboxPending.set(stats.pending);
    this.metrics?.outboxLagSeconds.set(stats.lag);
    const hours = this.options.retentionHours ?? 72;
    await this.dataSource.query(`DELETE FROM outbox WHERE sent_at < now() - make_interval(hours => $1)`, [hours]);
  }
}

