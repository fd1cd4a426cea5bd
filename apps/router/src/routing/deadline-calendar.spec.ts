import { WeekdayCalendar } from './deadline-calendar.js';

describe(WeekdayCalendar.name, () => {
  const calendar = new WeekdayCalendar();

  it('ends a clock at midnight China time after n weekdays, skipping the weekend', () => {
    // Friday 2026-11-27 10:00 CST
    const friday = new Date('2026-11-27T02:00:00Z');
    expect(calendar.addWorkingDays(friday, 1).toISOString()).toBe('2026-11-30T16:00:00.000Z'); // end of Mon 30 Nov CST
    expect(calendar.addWorkingDays(friday, 5).toISOString()).toBe('2026-12-04T16:00:00.000Z'); // end of Fri 4 Dec CST
  });

  it('counts from the China date, not the UTC date', () => {
    // 2026-11-27 23:30 CST is still Friday in China (15:30 UTC)
    expect(calendar.addWorkingDays(new Date('2026-11-27T15:30:00Z'), 1).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    // Saturday 00:30 CST (Friday 16:30 UTC): the next working day is Monday
    expect(calendar.addWorkingDays(new Date('2026-11-27T16:30:00Z'), 1).toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });
});
