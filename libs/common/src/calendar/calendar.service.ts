import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CalendarError } from './calendar.errors.js';
import { CalendarRepository, type CalendarYearRecord } from './calendar.repository.js';
import { seedCalendar } from './calendar.seed.js';
import type { CalendarDay } from './calendar.types.js';
import { parseCalendarYear } from './calendar.validation.js';
import { WorkingDayCalendar, type WorkingDayCalendarOptions } from './working-day-calendar.js';

export const CALENDAR_OPTIONS = Symbol('CALENDAR_OPTIONS');

export interface CalendarModuleOptions extends WorkingDayCalendarOptions {
  /** Load the committed arrangements (`CHINA_HOLIDAYS`) at start-up; default true. */
  seed?: boolean;
}

/**
 * The calendar of the database, held in memory: seeded and loaded at start-up, reloaded after `addYear`.
 * Another instance's `addYear` is picked up by `refreshIfChanged()` (cheap; call it from a periodic job).
 */
@Injectable()
export class CalendarService implements OnModuleInit {
  private current?: WorkingDayCalendar;
  private fingerprint?: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: CalendarRepository,
    @Inject(CALENDAR_OPTIONS) private readonly options: CalendarModuleOptions = {},
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.seed ?? true) await seedCalendar(this.dataSource, undefined, this.repository);
    await this.reload();
  }

  get calendar(): WorkingDayCalendar {
    if (!this.current) throw new CalendarError('calendar_not_loaded', '工作日历尚未载入');
    return this.current;
  }

  async reload(): Promise<WorkingDayCalendar> {
    const manager = this.dataSource.manager;
    const fingerprint = await this.repository.fingerprint(manager);
    const [years, days] = await Promise.all([this.repository.listYears(manager), this.repository.listDays(manager)]);
    this.current = new WorkingDayCalendar(
      days,
      years.map((y) => y.year),
      this.options,
    );
    this.fingerprint = fingerprint;
    return this.current;
  }

  /** Reloads when a year was added or replaced since the last load; true when it reloaded. */
  async refreshIfChanged(): Promise<boolean> {
    if ((await this.repository.fingerprint(this.dataSource.manager)) === this.fingerprint) return false;
    await this.reload();
    return true;
  }

  years(): Promise<CalendarYearRecord[]> {
    return this.repository.listYears(this.dataSource.manager);
  }

  /**
   * Adds one year's arrangement (validated by `checkCalendarYear`). A year already loaded is refused with
   * `calendar_year_exists` unless `replace` is set — the State Council has amended a published year before
   * (2020's Spring Festival extension), and a replacement swaps the whole year in one transaction.
   */
  async addYear(
    year: number,
    days: readonly CalendarDay[],
    source: string,
    options: { replace?: boolean } = {},
  ): Promise<CalendarYearRecord> {
    const data = parseCalendarYear({ year, days, source });
    const inserted = await this.dataSource.transaction(async (manager) => {
      if (options.replace) await this.repository.deleteYear(manager, data.year);
      return this.repository.insertYear(manager, data);
    });
    if (!inserted) {
      throw new CalendarError('calendar_year_exists', `${data.year} 年的放假安排已载入；如需更正请选择替换`);
    }
    await this.reload();
    const record = (await this.years()).find((y) => y.year === data.year);
    if (!record) throw new Error(`calendar year ${data.year} vanished after insert`);
    return record;
  }
}
