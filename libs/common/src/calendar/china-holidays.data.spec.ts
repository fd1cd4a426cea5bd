import type { CalendarYearData } from './calendar.types.js';
import { checkCalendarYear } from './calendar.validation.js';
import { CHINA_HOLIDAYS } from './china-holidays.data.js';
import { isWeekend, parseCivilDate } from './shanghai-time.js';

const year = (y: number): CalendarYearData => CHINA_HOLIDAYS.find((d) => d.year === y)!;
const block = (y: number, name: string) => year(y).days.filter((d) => d.name === name && d.kind === 'holiday');
const dates = (y: number, kind: 'holiday' | 'workday') => year(y).days.filter((d) => d.kind === kind).map((d) => d.date);

describe('CHINA_HOLIDAYS', () => {
  it('covers 2024, 2025 and 2026, each with its source', () => {
    expect(CHINA_HOLIDAYS.map((y) => y.year)).toEqual([2024, 2025, 2026]);
    for (const data of CHINA_HOLIDAYS) expect(data.source).toMatch(new RegExp(`关于${data.year}年部分节假日安排的通知.*https://`));
  });

  it.each(CHINA_HOLIDAYS.map((y) => [y.year, y] as const))('%s passes the admin validation', (_, data) => {
    expect(checkCalendarYear(data).problems).toEqual([]);
  });

  // 《全国年节及纪念日放假办法》: 11 statutory days for everyone until 2024, 13 from 2025 (除夕 and 5月2日 added).
  // A statutory day on a weekend is made up on a weekday and each make-up Saturday/Sunday frees one more weekday,
  // so weekday holidays − make-up workdays = statutory days. A mistyped date almost always breaks this.
  it.each([
    [2024, 11],
    [2025, 13],
    [2026, 13],
  ])('%s frees exactly its %s statutory days net of make-up workdays', (y, statutory) => {
    const weekdayOff = dates(y, 'holiday').filter((d) => !isWeekend(parseCivilDate(d)!)).length;
    expect(weekdayOff - dates(y, 'workday').length).toBe(statutory);
  });

  it('has the block lengths and make-up days the notices state', () => {
    expect(block(2024, '春节')).toHaveLength(8);
    expect(block(2024, '国庆节')).toHaveLength(7);
    expect(block(2025, '春节')).toHaveLength(8);
    expect(block(2025, '国庆节、中秋节')).toHaveLength(8);
    expect(block(2026, '春节')).toHaveLength(9);
    expect(block(2026, '国庆节')).toHaveLength(7);
    expect(block(2026, '劳动节')).toHaveLength(5);
    expect(dates(2024, 'workday')).toEqual(
      ['2024-02-04', '2024-02-18', '2024-04-07', '2024-04-28', '2024-05-11', '2024-09-14', '2024-09-29', '2024-10-12'].sort(),
    );
    expect(dates(2025, 'workday').sort()).toEqual(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);
    expect(dates(2026, 'workday').sort()).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
  });
});
