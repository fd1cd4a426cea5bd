import { Injectable } from '@nestjs/common';
import { CalendarService } from '@app/common/calendar/calendar.service.js';
import { REPLY_WORKING_DAYS } from './deadline-calendar.js';

/**
 * Whether the loaded calendar reaches far enough to compute a reply deadline from `at` (5 working days fit
 * in 40 calendar days even across Spring Festival). Automatic routing queues for the desk when it does not,
 * so a case is never lost to a `calendar_out_of_range` in the intake consumer.
 */
@Injectable()
export class CalendarCoverage {
  constructor(private readonly service: CalendarService) {}

  covers(at: Date): boolean {
    try {
      this.service.calendar.addWorkingDays(at, REPLY_WORKING_DAYS);
      return true;
    } catch {
      return false;
    }
  }
}
