import { CHINA_HOLIDAYS, WorkingDayCalendar } from '@app/common/calendar/index.js';
import type { CalendarService } from '@app/common/calendar/calendar.service.js';
import { StatutoryCalendar } from './deadline-calendar.js';

describe(StatutoryCalendar.name, () => {
  const service = { calendar: WorkingDayCalendar.fromYears(CHINA_HOLIDAYS) } as unknown as CalendarService;
  const calendar = new StatutoryCalendar(service);

  it('skips the National Day holiday and counts the make-up Saturday (2026)', () => {
    // Wed 2026-09-30 10:00 CST; 1–7 Oct are off, Sat 10 Oct 2026 is a make-up working day (国办发明电 2026).
    const from = new Date('2026-09-30T02:00:00Z');
    expect(calendar.addWorkingDays(from, 1).toISOString()).toBe('2026-10-08T15:59:59.999Z');
  });

  it('counts the National Day make-up Saturday in the 5-day reply clock and warns one working day before', () => {
    const from = new Date('2026-09-30T02:00:00Z');
    const reply = calendar.addWorkingDays(from, 5); // 8, 9, 10 (Sat, worked), 12, 13 Oct
    expect(reply.toISOString()).toBe('2026-10-13T15:59:59.999Z');
    expect(calendar.workingDaysBefore(reply, 1).toISOString()).toBe('2026-10-12T15:59:59.999Z');
    expect(calendar.workingDaysBefore(calendar.addWorkingDays(from, 1), 1).toISOString()).toBe('2026-09-30T15:59:59.999Z');
  });

  it('crosses the 2026 Spring Festival: Sat 14 Feb is worked, 15–23 Feb are off', () => {
    const friday = new Date('2026-02-13T02:00:00Z');
    expect(calendar.addWorkingDays(friday, 1).toISOString()).toBe('2026-02-14T15:59:59.999Z');
    expect(calendar.addWorkingDays(friday, 5).toISOString()).toBe('2026-02-27T15:59:59.999Z');
  });

  it('ends a clock at the end of the Beijing day after n weekdays in an ordinary week', () => {
    const friday = new Date('2026-11-27T02:00:00Z');
    expect(calendar.addWorkingDays(friday, 1).toISOString()).toBe('2026-11-30T15:59:59.999Z');
    expect(calendar.addWorkingDays(friday, 5).toISOString()).toBe('2026-12-04T15:59:59.999Z');
  });

  it('refuses a date beyond the loaded years instead of guessing', () => {
    expect(() => calendar.addWorkingDays(new Date('2030-03-01T02:00:00Z'), 5)).toThrow(/2030/);
  });
});
