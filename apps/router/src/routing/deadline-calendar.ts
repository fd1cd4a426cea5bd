import { Injectable } from '@nestjs/common';
import { CalendarService } from '@app/common/calendar/calendar.service.js';

/**
 * How the unit clocks are computed: the Chinese statutory calendar (holidays and make-up working days, as
 * data in libs/common/src/calendar). A date beyond the loaded years throws `CalendarRangeError`
 * (`calendar_out_of_range`) — never silently Monday to Friday.
 */
export interface DeadlineCalendar {
  /** 23:59:59.999 Beijing time of the n-th working day after the day of `from`. */
  addWorkingDays(from: Date, workingDays: number): Date;
  /** The moment only n working days remain before `deadline`. */
  workingDaysBefore(deadline: Date, workingDays: number): Date;
  /** When to warn that only `workingDays` working days are left (the start of the first of them). */
  warningBefore(deadline: Date, workingDays: number): Date;
  /** Working hours (24 per working day) between two moments. */
  workingHoursBetween(a: Date, b: Date): number;
}

export const DEADLINE_CALENDAR = Symbol('DeadlineCalendar');

/** Reads the current calendar on every call, so an admin's `addYear` applies at once. */
@Injectable()
export class StatutoryCalendar implements DeadlineCalendar {
  constructor(private readonly service: CalendarService) {}

  addWorkingDays(from: Date, workingDays: number): Date {
    return this.service.calendar.addWorkingDays(from, workingDays);
  }

  workingDaysBefore(deadline: Date, workingDays: number): Date {
    return this.service.calendar.workingDaysBefore(deadline, workingDays);
  }

  warningBefore(deadline: Date, workingDays: number): Date {
    return this.service.calendar.warningBefore(deadline, workingDays);
  }

  workingHoursBetween(a: Date, b: Date): number {
    return this.service.calendar.workingHoursBetween(a, b);
  }
}

export const ACCEPT_WORKING_DAYS = 1;
export const REPLY_WORKING_DAYS = 5;
