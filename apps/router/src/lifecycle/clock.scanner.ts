import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectLogger, InjectPlatformConfig, OutboxWriter, TOPICS } from '@app/common';
import { CalendarService } from '@app/common/calendar/calendar.service.js';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { RouterConfig } from '../config.js';
import { CalendarHorizon } from './calendar-horizon.js';
import { ClockRepository } from './clock.repository.js';
import { FeedbackService } from './feedback.service.js';

export interface ScanResult {
  warned: number;
  breached: number;
  closed: number;
}

/**
 * The clocks (DESIGN rule 5): every deadline (desk, accept, reply) is a row of `deadlines`; this scan raises SlaWarning and
 * SlaBreached once per clock and closes replied cases nobody rated. A row is taken with FOR UPDATE SKIP
 * LOCKED and marked in the same transaction as its outbox event, so a restarted or second instance neither
 * misses a due clock (it is still unmarked) nor raises it twice (it is marked).
 */
@Injectable()
export class ClockScanner implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clocks: ClockRepository,
    private readonly feedback: FeedbackService,
    private readonly outbox: OutboxWriter,
    private readonly calendar: CalendarService,
    private readonly horizon: CalendarHorizon,
    @InjectPlatformConfig() private readonly config: RouterConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, this.config.env.ROUTER_CLOCK_SCAN_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    try {
      await this.calendar.refreshIfChanged(); // another instance's addYear
      this.horizon.check(this.calendar.calendar.coveredYears);
      await this.scan();
    } catch (err) {
      this.logger.warn({ err }, 'clock scan failed');
    }
  }

  async scan(now = new Date()): Promise<ScanResult> {
    const result: ScanResult = { warned: 0, breached: 0, closed: 0 };
    for (;;) {
      const batch = await this.scanBatch(now);
      result.warned += batch.warned;
      result.breached += batch.breached;
      result.closed += batch.closed;
      if (batch.taken === 0) return result;
    }
  }

  private scanBatch(now: Date): Promise<ScanResult & { taken: number }> {
    return this.dataSource.transaction(async (manager) => {
      // Breaches first: a clock already past its deadline gets the breach, not a late warning.
      const breached = await this.clocks.takeDue(manager, 'breach', now);
      const warned = await this.clocks.takeDue(manager, 'warn', now);
      const events = [...breached.map((d) => ({ d, type: 'SlaBreached' as const })), ...warned.map((d) => ({ d, type: 'SlaWarning' as const }))];
      await this.outbox.appendMany(
        manager,
        TOPICS.caseEvents,
        events.map(({ d, type }) => ({
          type,
          payload: { inquiryId: d.inquiryId, at: now.toISOString(), actor: 'system', clock: d.clock as 'desk' | 'accept' | 'reply', deadline: new Date(d.dueAt).toISOString() },
        })),
      );
      const closing = await this.clocks.takeDue(manager, 'close', now, 50);
      let closed = 0;
      for (const d of closing) {
        if (await this.feedback.autoClose(manager, d.inquiryId)) closed++;
      }
      return { warned: warned.length, breached: breached.length, closed, taken: events.length + closing.length };
    });
  }
}
