import { CalendarValidationError } from './calendar.errors.js';
import type { CalendarDay } from './calendar.types.js';
import { checkCalendarYear, parseCalendarYear } from './calendar.validation.js';

const NEW_YEAR_2027: CalendarDay[] = [
  { date: '2027-01-01', kind: 'holiday', name: '元旦' },
  { date: '2027-01-02', kind: 'holiday', name: '元旦' },
  { date: '2027-01-03', kind: 'holiday', name: '元旦' },
];
const problemsOf = (days: unknown, year = 2027, source = '测试来源') => checkCalendarYear({ year, days, source }).problems;

describe(checkCalendarYear.name, () => {
  it('accepts a plausible year and returns it sorted and trimmed', () => {
    const data = parseCalendarYear({
      year: 2027,
      source: ' 国务院办公厅通知 ',
      days: [{ date: '2027-02-06', kind: 'holiday', name: ' 春节 ' }, ...NEW_YEAR_2027],
    });
    expect(data.source).toBe('国务院办公厅通知');
    expect(data.days.map((d) => d.date)).toEqual(['2027-01-01', '2027-01-02', '2027-01-03', '2027-02-06']);
    expect(data.days[3]!.name).toBe('春节');
  });

  it('refuses a date outside the year, a duplicate and an impossible date', () => {
    expect(problemsOf([...NEW_YEAR_2027, { date: '2026-12-31', kind: 'holiday', name: '元旦' }])).toEqual([
      '2026-12-31 不在 2027 年内',
    ]);
    expect(problemsOf([...NEW_YEAR_2027, { date: '2027-01-01', kind: 'holiday', name: '元旦' }])).toEqual([
      '2027-01-01 重复出现',
    ]);
    expect(problemsOf([...NEW_YEAR_2027, { date: '2027-02-30', kind: 'holiday', name: '春节' }])).toEqual([
      '2027-02-30 不是有效日期',
    ]);
  });

  it('refuses a make-up workday that is not a Saturday or Sunday', () => {
    // 2027-01-04 is a Monday.
    expect(problemsOf([...NEW_YEAR_2027, { date: '2027-01-04', kind: 'workday', name: '元旦调休上班' }])).toEqual([
      '2027-01-04 是周一至周五，不能登记为调休上班日（只能是周六或周日）',
    ]);
  });

  it('refuses more make-up workdays than weekday holidays, and a year of weekend holidays only', () => {
    const saturdaysOnly: CalendarDay[] = [{ date: '2027-01-02', kind: 'holiday', name: '元旦' }];
    expect(problemsOf(saturdaysOnly)).toEqual(['2027 年没有落在周一至周五的放假日，不像是一份放假安排']);
    const tooManyWorkdays: CalendarDay[] = [
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
      { date: '2027-01-09', kind: 'workday', name: '元旦调休上班' },
      { date: '2027-01-10', kind: 'workday', name: '元旦调休上班' },
    ];
    expect(problemsOf(tooManyWorkdays)).toEqual(['调休上班日（2 天）多于落在周一至周五的放假日（1 天）']);
  });

  it('refuses bad shapes: kind, name, year, source, empty list', () => {
    expect(problemsOf([{ date: '2027-01-01', kind: 'vacation', name: '元旦' }])).toHaveLength(1);
    expect(problemsOf([{ date: '2027-01-01', kind: 'holiday', name: '  ' }])).toHaveLength(1);
    expect(problemsOf([{ date: '2027/01/01', kind: 'holiday', name: '元旦' }])).toHaveLength(1);
    expect(problemsOf(NEW_YEAR_2027, 1999)).toHaveLength(1);
    expect(problemsOf(NEW_YEAR_2027, 2027, '')).toHaveLength(1);
    expect(problemsOf([])).toHaveLength(1);
  });

  it('lists every problem at once in one coded error', () => {
    let error: unknown;
    try {
      parseCalendarYear({
        year: 2027,
        source: 's',
        days: [
          { date: '2027-01-01', kind: 'holiday', name: '元旦' },
          { date: '2027-01-04', kind: 'workday', name: 'x' },
          { date: '2028-01-01', kind: 'holiday', name: '元旦' },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalendarValidationError);
    expect(error).toMatchObject({ code: 'calendar_invalid', status: 400 });
    expect((error as CalendarValidationError).problems).toHaveLength(2);
  });
});
