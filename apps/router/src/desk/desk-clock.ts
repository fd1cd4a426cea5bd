import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectLogger, InjectPlatformConfig, OutboxWriter, TOPICS } from '@app/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { RouterConfig } from '../config.js';

type Step = 'warn' | 'breach';

/**
 * The desk's 2-hour clock (DESIGN: clocks are data). Deadlines live in `cases.desk_deadline`; this scan finds
 * cases near or past theirs and announces SlaWarning / SlaBreached once each (the *_at column is the
 * de-duplication key), so a restarted service catches up on everything it missed. SKIP LOCKED lets several
 * instances scan at once without announcing twice.
 */
@Injectable()
export class DeskClock implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @InjectPlatformConfig() private readonly config: RouterConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.scan()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.warn({ err }, 'desk clock scan failed'))
        .finally(() => (this.running = undefined));
    }, this.config.env.ROUTER_CLOCK_SCAN_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async scan(now = new Date()): Promise<number> {
    const warnBefore = this.config.env.ROUTER_DESK_WARN_MINUTES * 60_000;
    return (await this.announce('breach', now, now)) + (await this.announce('warn', new Date(now.getTime() + warnBefore), now));
  }

  private async announce(step: Step, dueBy: Date, now: Date): Promise<number> {
    const column = step === 'breach' ? 'desk_breached_at' : 'desk_warned_at';
    return this.dataSource.transaction(async (manager) => {
      const due: { inquiryId: string; deadline: Date }[] = await manager.query(
        `SELECT inquiry_id AS "inquiryId", desk_deadline AS deadline FROM cases
         WHERE status = 'queued_for_desk' AND ${column} IS NULL AND desk_deadline <= $1
           AND ($2::boolean OR desk_deadline > $3)
         ORDER BY desk_deadline LIMIT 200 FOR UPDATE SKIP LOCKED`,
        // A case already past its deadline gets the breach, not a late warning.
        [dueBy, step === 'breach', now],
      );
      if (due.length === 0) return 0;
      await manager.query(`UPDATE cases SET ${column} = $2 WHERE inquiry_id = ANY($1)`, [due.map((d) => d.inquiryId), now]);
      await this.outbox.appendMany(
        manager,
        TOPICS.caseEvents,
        due.map((d) => ({
          type: step === 'breach' ? 'SlaBreached' : 'SlaWarning',
          payload: { inquiryId: d.inquiryId, at: now.toISOString(), actor: 'system', clock: 'desk', deadline: new Date(d.deadline).toISOString() },
        })),
      );
      return due.length;
    });
  }
}
