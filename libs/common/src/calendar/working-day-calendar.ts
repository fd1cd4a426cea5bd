import { CalendarError, CalendarRangeError } from './calendar.errors.js';
import type { CalendarDay, CalendarDayKind, CalendarYearData } from './calendar.types.js';
import {
  civilDateOf,
  dayNumberOf,
  DAY_MS,
  endOfDay,
  isWeekend,
  parseCivilDate,
  startOfDay,
  weekdayOf,
  yearOf,
  type CivilDate,
} from './shanghai-time.js';

/** An office-hours window of a working day in Beijing time, `HH:MM` to `HH:MM`. */
export interface OfficeWindow {
  start: string;
  end: string;
}

/** Common Beijing government office hours (summer timetable), for callers that want office-hours statistics. */
export const BEIJING_OFFICE_HOURS: readonly OfficeWindow[] = [
  { start: '08:30', end: '12:00' },
  { start: '14:30', end: '18:00' },
];

export interface WorkingDayCalendarOptions {
  /**
   * What `workingHoursBetween` counts. Default: the whole of every working day (24 h), the same span the
   * deadlines run on (a deadline ends at 24:00 of its last working day, so a reply at 21:00 is on time and its
   * hours count). Units keep different timetables and switch between summer and winter hours, so office-hours
   * windows are an opt-in (e.g. `BEIJING_OFFICE_HOURS`).
   */
  officeHours?: readonly OfficeWindow[];
}

export interface CalendarDayInfo {
  date: CivilDate;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  working: boolean;
  /** Set when the State Council's arrangement lists the day. */
  kind?: CalendarDayKind;
  name?: string;
}

/**
 * Chinese working days in Asia/Shanghai: Monday–Friday except listed holidays, plus listed make-up workdays
 * (调休上班). Only the covered years are known; any computation that needs another year throws
 * `CalendarRangeError` rather than assuming Monday–Friday.
 *
 * Deadlines follow the Civil Code's rule for periods counted in days (民法典 第二百零一条、第二百零三条): the day
 * the period starts on is not counted, and the period ends at 24:00 of its last day — here 23:59:59.999 Beijing
 * time of the n-th working day after the start day. A step done at or before that instant is on time.
 */
export class WorkingDayCalendar {
  private readonly listed = new Map<number, CalendarDay>();
  private readonly years: ReadonlySet<number>;
  /** [start, end) offsets in ms from local midnight. */
  private readonly windows: readonly (readonly [number, number])[];

  constructor(days: readonly CalendarDay[], coveredYears: Iterable<number>, options: WorkingDayCalendarOptions = {}) {
    this.years = new Set(coveredYears);
    for (const day of days) {
      const number = parseCivilDate(day.date);
      if (number === undefined) throw new CalendarError('calendar_invalid', `无效日期：${day.date}`);
      if (!this.years.has(yearOf(number))) {
        throw new CalendarError('calendar_invalid', `${day.date} 所在年份未登记为已载入年份`);
      }
      if (this.listed.has(number)) throw new CalendarError('calendar_invalid', `${day.date} 重复出现`);
      this.listed.set(number, day);
    }
    this.windows = options.officeHours ? parseWindows(options.officeHours) : [[0, DAY_MS]];
  }

  static fromYears(years: readonly CalendarYearData[], options?: WorkingDayCalendarOptions): WorkingDayCalendar {
    return new WorkingDayCalendar(
      years.flatMap((y) => y.days),
      years.map((y) => y.year),
      options,
    );
  }

  get coveredYears(): number[] {
    return [...this.years].sort((a, b) => a - b);
  }

  covers(date: Date | CivilDate): boolean {
    return this.years.has(yearOf(toDayNumber(date)));
  }

  dayInfo(date: Date | CivilDate): CalendarDayInfo {
    const day = toDayNumber(date);
    const working = this.isWorking(day);
    const entry = this.listed.get(day);
    return { date: civilDateOf(day), weekday: weekdayOf(day), working, kind: entry?.kind, name: entry?.name };
  }

  /** Whether the Beijing civil day of `date` is a working day. */
  isWorkingDay(date: Date | CivilDate): boolean {
    return this.isWorking(toDayNumber(date));
  }

  /** The deadline `n` working days after `from`: 23:59:59.999 Beijing time of the n-th working day after from's day. */
  addWorkingDays(from: Date, n: number): Date {
    assertCount(n);
    let day = dayNumberOf(from);
    for (let left = n; left > 0; ) {
      day++;
      if (this.isWorking(day)) left--;
    }
    return endOfDay(day);
  }

  /**
   * The moment only `n` working days remain before `deadline`: 23:59:59.999 of the n-th working day before the
   * deadline's day (the time of day of `deadline` is not used). For a deadline at the end of a working day,
   * `addWorkingDays(workingDaysBefore(d, n), n)` is `d` again — "warn one working day before" is `n = 1`.
   */
  workingDaysBefore(deadline: Date, n: number): Date {
    assertCount(n);
    let day = dayNumberOf(deadline);
    for (let left = n; left > 0; ) {
      day--;
      if (this.isWorking(day)) left--;
    }
    return endOfDay(day);
  }

  /**
   * When to warn that `deadline` is near: 00:00 Beijing time of the n-th last working day up to the deadline's day,
   * when only n working days are left to work in. For an ordinary week it is the moment `workingDaysBefore` gives
   * (one millisecond later); across days off it does not fall back over them: a case assigned on a Saturday with
   * a Monday deadline is warned on Monday morning, not at once because Friday night has passed.
   */
  warningBefore(deadline: Date, n: number): Date {
    let day = dayNumberOf(this.workingDaysBefore(deadline, n)) + 1;
    while (!this.isWorking(day)) day++;
    return startOfDay(day);
  }

  /** Hours of working time in [a, b): the parts of working days inside the interval (see `officeHours`). */
  workingHoursBetween(a: Date, b: Date): number {
    const from = a.getTime();
    const to = b.getTime();
    if (Number.isNaN(from) || Number.isNaN(to)) throw new TypeError('invalid Date');
    if (to < from) throw new RangeError('workingHoursBetween: b is before a');
    if (to === from) return 0;
    let total = 0;
    const last = dayNumberOf(new Date(to - 1));
    for (let day = dayNumberOf(a); day <= last; day++) {
      if (!this.isWorking(day)) continue;
      const midnight = startOfDay(day).getTime();
      for (const [start, end] of this.windows) {
        total += Math.max(0, Math.min(to, midnight + end) - Math.max(from, midnight + start));
      }
    }
    return total / 3_600_000;
  }

  private isWorking(day: number): boolean {
    if (!this.years.has(yearOf(day))) throw new CalendarRangeError(civilDateOf(day), this.coveredYears);
    const entry = this.listed.get(day);
    if (entry) return entry.kind === 'workday';
    return !isWeekend(day);
  }
}

function toDayNumber(date: Date | CivilDate): number {
  if (date instanceof Date) return dayNumberOf(date);
  const day = parseCivilDate(date);
  if (day === undefined) throw new TypeError(`not a YYYY-MM-DD date: ${date}`);
  return day;
}

function assertCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`working-day count must be a positive integer, got ${n}`);
}

function parseWindows(windows: readonly OfficeWindow[]): [number, number][] {
  const parsed = windows.map((w): [number, number] => [clockMs(w.start), clockMs(w.end)]);
  parsed.forEach(([start, end], i) => {
    if (end <= start) throw new RangeError(`office window ${windows[i]!.start}-${windows[i]!.end} is empty`);
    if (i > 0 && start < parsed[i - 1]![1]) throw new RangeError('office windows must be in order and not overlap');
  });
  return parsed;
}

function clockMs(text: string): number {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  const ms = match ? (Number(match[1]) * 60 + Number(match[2])) * 60_000 : NaN;
  if (!(ms <= DAY_MS)) throw new RangeError(`not an HH:MM time of day: ${text}`);
  return ms;
}
