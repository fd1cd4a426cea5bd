import { CalendarRangeError } from './calendar.errors.js';
import { CHINA_HOLIDAYS } from './china-holidays.data.js';
import { BEIJING_OFFICE_HOURS, WorkingDayCalendar } from './working-day-calendar.js';

const calendar = WorkingDayCalendar.fromYears(CHINA_HOLIDAYS);
/** An instant in Beijing time. */
const bj = (text: string) => new Date(`${text}+08:00`);
/** The deadline instant: 23:59:59.999 Beijing time of that day. */
const endOf = (date: string) => bj(`${date}T23:59:59.999`);

describe(WorkingDayCalendar.name, () => {
  describe('National Day weeks', () => {
    it('2025: Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11 worked', () => {
      expect(calendar.isWorkingDay('2025-09-27')).toBe(false);
      expect(calendar.isWorkingDay('2025-09-28')).toBe(true);
      for (let d = 1; d <= 8; d++) expect(calendar.isWorkingDay(`2025-10-0${d}`)).toBe(false);
      expect(calendar.isWorkingDay('2025-10-09')).toBe(true);
      expect(calendar.isWorkingDay('2025-10-11')).toBe(true);
      expect(calendar.isWorkingDay('2025-10-12')).toBe(false);
      expect(calendar.dayInfo('2025-10-11')).toEqual({
        date: '2025-10-11',
        weekday: 6,
        working: true,
        kind: 'workday',
        name: '国庆节、中秋节调休上班',
      });
    });

    it('2025: counts the make-up Sunday and skips the eight days off', () => {
      // Sep 28 (Sun) 1, Sep 29 2, Sep 30 3, Oct 9 4, Oct 10 5.
      expect(calendar.addWorkingDays(bj('2025-09-26T10:00'), 5)).toEqual(endOf('2025-10-10'));
      // Oct 9 1, Oct 10 2, Oct 11 (Sat) 3, Oct 13 4, Oct 14 5.
      expect(calendar.addWorkingDays(bj('2025-09-30T15:00'), 5)).toEqual(endOf('2025-10-14'));
      expect(calendar.addWorkingDays(bj('2025-10-03T09:00'), 5)).toEqual(endOf('2025-10-14'));
      expect(calendar.addWorkingDays(bj('2025-09-30T23:59:59.999'), 1)).toEqual(endOf('2025-10-09'));
    });

    it('2024: Sunday Sep 29 and Saturday Oct 12 worked', () => {
      expect(calendar.addWorkingDays(bj('2024-09-27T17:00'), 5)).toEqual(endOf('2024-10-10'));
      expect(calendar.addWorkingDays(bj('2024-10-10T09:00'), 2)).toEqual(endOf('2024-10-12'));
    });

    it('2026: Sunday Sep 20 and Saturday Oct 10 worked, Mid-Autumn Sep 25–27 off', () => {
      expect(calendar.isWorkingDay('2026-09-20')).toBe(true);
      expect(calendar.isWorkingDay('2026-09-25')).toBe(false);
      // Sep 28 1, Sep 29 2, Sep 30 3, Oct 8 4, Oct 9 5.
      expect(calendar.addWorkingDays(bj('2026-09-24T11:00'), 6)).toEqual(endOf('2026-10-10'));
      expect(calendar.addWorkingDays(bj('2026-09-24T11:00'), 5)).toEqual(endOf('2026-10-09'));
    });
  });

  describe('Spring Festival', () => {
    it('2025: Jan 28 (除夕) – Feb 4 off, Sunday Jan 26 and Saturday Feb 8 worked', () => {
      expect(calendar.isWorkingDay('2025-01-26')).toBe(true);
      expect(calendar.isWorkingDay('2025-01-27')).toBe(true);
      expect(calendar.isWorkingDay('2025-01-28')).toBe(false);
      expect(calendar.isWorkingDay('2025-02-04')).toBe(false);
      expect(calendar.isWorkingDay('2025-02-08')).toBe(true);
      // Jan 26 1, Jan 27 2, Feb 5 3, Feb 6 4, Feb 7 5.
      expect(calendar.addWorkingDays(bj('2025-01-24T16:00'), 5)).toEqual(endOf('2025-02-07'));
      expect(calendar.addWorkingDays(bj('2025-02-06T16:00'), 2)).toEqual(endOf('2025-02-08'));
    });

    it('2026: nine days Feb 15–23 off, Saturdays Feb 14 and Feb 28 worked', () => {
      expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
      for (let d = 15; d <= 23; d++) expect(calendar.isWorkingDay(`2026-02-${d}`)).toBe(false);
      // Feb 13 1, Feb 14 (Sat) 2, Feb 24 3, Feb 25 4, Feb 26 5.
      expect(calendar.addWorkingDays(bj('2026-02-12T09:30'), 5)).toEqual(endOf('2026-02-26'));
      // Feb 25 1, 26 2, 27 3, 28 (Sat) 4, Mar 2 5.
      expect(calendar.addWorkingDays(bj('2026-02-24T09:30'), 5)).toEqual(endOf('2026-03-02'));
    });

    it('2024: 除夕 Feb 9 stays a working day, Sundays Feb 4 and Feb 18 worked', () => {
      expect(calendar.isWorkingDay('2024-02-04')).toBe(true);
      expect(calendar.isWorkingDay('2024-02-09')).toBe(true);
      expect(calendar.isWorkingDay('2024-02-10')).toBe(false);
      expect(calendar.isWorkingDay('2024-02-18')).toBe(true);
      expect(calendar.addWorkingDays(bj('2024-02-08T12:00'), 2)).toEqual(endOf('2024-02-18'));
    });
  });

  describe('year boundary and time zone', () => {
    it('crosses into a new year across its New Year holiday and make-up Sunday', () => {
      expect(calendar.addWorkingDays(bj('2025-12-31T18:00'), 1)).toEqual(endOf('2026-01-04'));
      expect(calendar.addWorkingDays(bj('2024-12-31T18:00'), 1)).toEqual(endOf('2025-01-02'));
      expect(calendar.workingDaysBefore(endOf('2026-01-04'), 1)).toEqual(endOf('2025-12-31'));
    });

    it('takes the day in Beijing time, whatever the UTC date is', () => {
      // 2025-12-31T16:30Z is 00:30 on New Year's Day in Beijing.
      expect(calendar.isWorkingDay(new Date('2025-12-31T16:30:00Z'))).toBe(false);
      expect(calendar.isWorkingDay(new Date('2025-12-31T15:59:59.999Z'))).toBe(true);
      expect(endOf('2025-10-10').toISOString()).toBe('2025-10-10T15:59:59.999Z');
    });

    it('gives the same answers whatever the process time zone is', () => {
      const saved = process.env.TZ;
      try {
        process.env.TZ = 'America/Los_Angeles';
        expect(calendar.addWorkingDays(new Date('2025-09-26T02:00:00Z'), 5).toISOString()).toBe('2025-10-10T15:59:59.999Z');
        expect(calendar.isWorkingDay(new Date('2025-12-31T16:30:00Z'))).toBe(false);
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });
  });

  describe('beyond the loaded years', () => {
    it('throws a coded CalendarRangeError instead of guessing Monday to Friday', () => {
      // Dec 29, 30, 31 are working days; the fourth would be in 2027.
      expect(calendar.addWorkingDays(bj('2026-12-28T10:00'), 3)).toEqual(endOf('2026-12-31'));
      const error = captured(() => calendar.addWorkingDays(bj('2026-12-28T10:00'), 5));
      expect(error).toBeInstanceOf(CalendarRangeError);
      expect(error).toMatchObject({ code: 'calendar_out_of_range', date: '2027-01-01', coveredYears: [2024, 2025, 2026] });
      expect(() => calendar.isWorkingDay('2023-12-29')).toThrow(CalendarRangeError);
      expect(() => calendar.workingDaysBefore(endOf('2024-01-02'), 1)).toThrow(CalendarRangeError);
      expect(() => calendar.workingHoursBetween(bj('2026-12-31T10:00'), bj('2027-01-04T10:00'))).toThrow(
        CalendarRangeError,
      );
      expect(calendar.covers('2027-01-01')).toBe(false);
    });

    it('knows only the years it was given, even between two loaded ones', () => {
      const gappy = WorkingDayCalendar.fromYears(CHINA_HOLIDAYS.filter((y) => y.year !== 2025));
      expect(gappy.coveredYears).toEqual([2024, 2026]);
      expect(() => gappy.addWorkingDays(bj('2024-12-30T10:00'), 2)).toThrow(CalendarRangeError);
    });
  });

  describe(WorkingDayCalendar.prototype.warningBefore.name, () => {
    it('is the start of the last working day, not the Friday night before a Monday deadline', () => {
      // Assigned on Saturday 2026-11-28: one working day to accept, so the deadline is Monday's end.
      const monday = calendar.addWorkingDays(bj('2026-11-28T08:00'), 1);
      expect(monday).toEqual(endOf('2026-11-30'));
      expect(calendar.workingDaysBefore(monday, 1)).toEqual(endOf('2026-11-27'));
      expect(calendar.warningBefore(monday, 1)).toEqual(bj('2026-11-30T00:00'));
    });

    it('is workingDaysBefore plus a millisecond within a working week and skips a holiday week', () => {
      const thursday = calendar.addWorkingDays(bj('2025-03-03T10:00'), 3);
      expect(calendar.warningBefore(thursday, 1).getTime()).toBe(calendar.workingDaysBefore(thursday, 1).getTime() + 1);
      const afterHolidays = calendar.addWorkingDays(bj('2025-09-26T10:00'), 5);
      expect(calendar.warningBefore(afterHolidays, 2)).toEqual(bj('2025-10-09T00:00'));
    });
  });

  describe(WorkingDayCalendar.prototype.workingDaysBefore.name, () => {
    it('is the moment one working day is left, across a holiday week', () => {
      const deadline = calendar.addWorkingDays(bj('2025-09-26T10:00'), 5);
      expect(calendar.workingDaysBefore(deadline, 1)).toEqual(endOf('2025-10-09'));
      expect(calendar.workingDaysBefore(deadline, 2)).toEqual(endOf('2025-09-30'));
    });

    it('undoes addWorkingDays for every start day of 2025', () => {
      for (let t = bj('2025-01-01T12:00').getTime(); t < bj('2025-12-20T00:00').getTime(); t += 86_400_000) {
        const deadline = calendar.addWorkingDays(new Date(t), 5);
        expect(calendar.addWorkingDays(calendar.workingDaysBefore(deadline, 1), 1)).toEqual(deadline);
        expect(calendar.isWorkingDay(deadline)).toBe(true);
      }
    });

    it('refuses counts that are not positive integers', () => {
      expect(() => calendar.warningBefore(bj('2025-03-03T10:00'), 0)).toThrow(RangeError);
      expect(() => calendar.addWorkingDays(bj('2025-03-03T10:00'), 0)).toThrow(RangeError);
      expect(() => calendar.workingDaysBefore(bj('2025-03-03T10:00'), 1.5)).toThrow(RangeError);
    });
  });

  describe(WorkingDayCalendar.prototype.workingHoursBetween.name, () => {
    it('counts whole working days by default and nothing on days off', () => {
      // Sep 30 14 h + Oct 9 10 h; Oct 1–8 count nothing.
      expect(calendar.workingHoursBetween(bj('2025-09-30T10:00'), bj('2025-10-09T10:00'))).toBe(24);
      // Saturday Sep 27 counts nothing, the make-up Sunday Sep 28 counts.
      expect(calendar.workingHoursBetween(bj('2025-09-27T00:00'), bj('2025-09-29T00:00'))).toBe(24);
      expect(calendar.workingHoursBetween(bj('2025-10-03T00:00'), bj('2025-10-05T00:00'))).toBe(0);
      expect(calendar.workingHoursBetween(bj('2025-03-03T10:00'), bj('2025-03-03T10:00'))).toBe(0);
      expect(() => calendar.workingHoursBetween(bj('2025-03-04T10:00'), bj('2025-03-03T10:00'))).toThrow(RangeError);
    });

    it('counts only office hours when configured', () => {
      const office = WorkingDayCalendar.fromYears(CHINA_HOLIDAYS, { officeHours: BEIJING_OFFICE_HOURS });
      // Sep 30: 10:00–12:00 and 14:30–18:00 = 5.5 h; Oct 9: 08:30–10:00 = 1.5 h.
      expect(office.workingHoursBetween(bj('2025-09-30T10:00'), bj('2025-10-09T10:00'))).toBe(7);
      // A Friday evening to a Monday morning before office hours: nothing.
      expect(office.workingHoursBetween(bj('2025-03-07T19:00'), bj('2025-03-10T08:00'))).toBe(0);
      expect(() => WorkingDayCalendar.fromYears(CHINA_HOLIDAYS, { officeHours: [{ start: '14:00', end: '09:00' }] })).toThrow(
        RangeError,
      );
    });
  });

  it('refuses listed days outside its covered years', () => {
    expect(() => new WorkingDayCalendar([{ date: '2027-01-01', kind: 'holiday', name: '元旦' }], [2026])).toThrow(
      /未登记/,
    );
  });
});

function captured(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
