/**
 * How the unit clocks are computed. This is a stand-in (weekdays only, in China Standard Time): issue #7 puts
 * the statutory calendar with holidays and make-up working days in libs/common and replaces this provider.
 */
export interface DeadlineCalendar {
  /** The moment `workingDays` working days after `from` end. */
  addWorkingDays(from: Date, workingDays: number): Date;
}

export const DEADLINE_CALENDAR = Symbol('DeadlineCalendar');

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

export class WeekdayCalendar implements DeadlineCalendar {
  addWorkingDays(from: Date, workingDays: number): Date {
    // Work in CST wall-clock days; the deadline is the end (24:00 CST) of the n-th working day after `from`.
    let day = Math.floor((from.getTime() + CST_OFFSET_MS) / DAY_MS);
    let left = workingDays;
    while (left > 0) {
      day++;
      const weekday = new Date(day * DAY_MS).getUTCDay();
      if (weekday !== 0 && weekday !== 6) left--;
    }
    return new Date((day + 1) * DAY_MS - CST_OFFSET_MS);
  }
}

export const ACCEPT_WORKING_DAYS = 1;
export const REPLY_WORKING_DAYS = 5;
