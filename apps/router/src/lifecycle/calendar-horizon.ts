import { Injectable } from '@nestjs/common';
import { InjectLogger, InjectPlatformConfig, PlatformMetrics } from '@app/common';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { DAY_MS, dayNumberOf, startOfDay, yearOf } from '@app/common/calendar/shanghai-time.js';
import type { RouterConfig } from '../config.js';

/**
 * Whole days from `now` to the end (24:00 Beijing time, 31 December) of the unbroken run of loaded years that holds
 * `now`'s year; 0 when that year is not loaded.
 */
export function calendarDaysLeft(coveredYears: readonly number[], now: Date): number {
  const years = new Set(coveredYears);
  let year = yearOf(dayNumberOf(now));
  if (!years.has(year)) return 0;
  while (years.has(year + 1)) year++;
  const end = startOfDay(Date.UTC(year + 1, 0, 1) / DAY_MS);
  return Math.max(0, Math.floor((end.getTime() - now.getTime()) / DAY_MS));
}

/**
 * The State Council publishes next year's holidays in October–December, and someone must load them
 * (`POST /admin/calendar/years`): past the last loaded year no deadline can be computed, and every new case waits
 * for the desk. The days left are a gauge (`wz_router_calendar_days_left`), and within `ROUTER_CALENDAR_WARN_DAYS`
 * of the end the router says so in its log, once a day.
 */
@Injectable()
export class CalendarHorizon {
  private readonly daysLeft: Gauge;
  private warnedAt = Number.NEGATIVE_INFINITY;

  constructor(
    metrics: PlatformMetrics,
    @InjectPlatformConfig() private readonly config: RouterConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.daysLeft = new Gauge({
      name: 'wz_router_calendar_days_left',
      help: 'Days until the end of the last loaded year of the working-day calendar; deadlines beyond it cannot be computed',
      registers: [metrics.registry],
    });
  }

  /** Updates the gauge, warns if the end is near; returns the days left. */
  check(coveredYears: readonly number[], now = new Date()): number {
    const left = calendarDaysLeft(coveredYears, now);
    this.daysLeft.set(left);
    if (left < this.config.env.ROUTER_CALENDAR_WARN_DAYS && now.getTime() - this.warnedAt >= DAY_MS) {
      this.warnedAt = now.getTime();
      this.logger.warn(
        { daysLeft: left, coveredYears },
        "the working-day calendar ends soon: load next year's holiday arrangement (POST /admin/calendar/years), or deadlines cannot be computed and new cases wait for the desk",
      );
    }
    return left;
  }
}
