import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** Rows of a bookkeeping table that may go once they are older than `days`. */
export interface RetentionRule {
  table: string;
  /** The row's timestamp column. */
  column: string;
  /** 0 keeps the rows forever. */
  days: number;
  /** A constant SQL condition the row must also meet (e.g. only deliveries in a final state). */
  onlyWhere?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const FIRST_SWEEP_MS = 60_000;
const SWEEP_EVERY_MS = 3_600_000;

/**
 * Deletes expired bookkeeping rows (consumers' processed-message records, idempotency keys, finished deliveries)
 * every hour, in batches of one short statement each, so a large backlog never holds locks or a snapshot for
 * long. Several instances may sweep at once: they only delete the same expired rows.
 */
export class RetentionSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RetentionRule[],
    private readonly logger: Logger,
    private readonly batch = 5000,
  ) {
    for (const rule of rules) {
      if (!IDENTIFIER.test(rule.table) || !IDENTIFIER.test(rule.column)) throw new Error(`invalid retention rule: ${rule.table}.${rule.column}`);
    }
  }

  start(): void {
    if (!this.rules.some((r) => r.days > 0)) return;
    const sweep = (): void => {
      this.running ??= this.sweep()
        .catch((error: unknown) => this.logger.warn({ err: String(error) }, 'retention sweep failed; the next one retries'))
        .finally(() => (this.running = undefined));
      this.timer = setTimeout(sweep, SWEEP_EVERY_MS);
    };
    this.timer = setTimeout(sweep, FIRST_SWEEP_MS);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep of every rule; answers the rows deleted per table. */
  async sweep(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const rule of this.rules) {
      if (rule.days <= 0) continue;
      const expired = `${rule.column} < now() - make_interval(days => $1)${rule.onlyWhere ? ` AND (${rule.onlyWhere})` : ''}`;
      let total = 0;
      for (;;) {
        const [, count]: [unknown, number] = await this.dataSource.query(
          `DELETE FROM ${rule.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${rule.table} WHERE ${expired} LIMIT $2))`,
          [rule.days, this.batch],
        );
        total += count;
        if (count < this.batch) break;
      }
      deleted[rule.table] = total;
      if (total > 0) this.logger.info({ table: rule.table, deleted: total, days: rule.days }, 'expired rows deleted');
    }
    return deleted;
  }
}
