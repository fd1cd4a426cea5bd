import { CHINA_HOLIDAYS, WorkingDayCalendar } from '@app/common/calendar/index.js';
import type { CalendarService } from '@app/common/calendar/calendar.service.js';
import { CalendarCoverage } from './calendar-coverage.js';

describe(CalendarCoverage.name, () => {
  const coverage = new CalendarCoverage({ calendar: WorkingDayCalendar.fromYears(CHINA_HOLIDAYS) } as unknown as CalendarService);

  it('covers a date whose reply clock stays inside the loaded years', () => {
    expect(coverage.covers(new Date('2026-11-27T02:00:00Z'))).toBe(true);
  });

  it('does not cover late December of the last loaded year (the clock would need next year), so routing sends it to the desk', () => {
    expect(coverage.covers(new Date('2026-12-28T02:00:00Z'))).toBe(false);
    expect(coverage.covers(new Date('2031-01-05T02:00:00Z'))).toBe(false);
  });
});
