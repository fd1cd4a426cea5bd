import { CalendarValidationError } from './calendar.errors.js';
import { calendarYearSchema, type CalendarYearData } from './calendar.types.js';
import { isWeekend, parseCivilDate, yearOf } from './shanghai-time.js';

type Checked = { data: CalendarYearData; problems: [] } | { data?: undefined; problems: string[] };

/**
 * Checks one year's arrangement and returns it normalized (names trimmed, days in date order) or every problem:
 * - each date is a real date inside `year`, listed once;
 * - a `workday` (调休上班) is a Saturday or Sunday — a weekday is a working day already;
 * - a `holiday` may fall on a weekend (notices name whole blocks, "4月4日（周六）至6日（周一）放假"), but the
 *   year needs at least as many weekday holidays as make-up workdays: every make-up workday pays for a weekday
 *   off in the same arrangement.
 */
export function checkCalendarYear(input: unknown): Checked {
  const parsed = calendarYearSchema.safeParse(input);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '数据'}: ${issue.message}`) };
  }
  const { year } = parsed.data;
  const problems: string[] = [];
  const seen = new Set<number>();
  let weekdayHolidays = 0;
  let workdays = 0;
  for (const day of parsed.data.days) {
    const number = parseCivilDate(day.date);
    if (number === undefined) {
      problems.push(`${day.date} 不是有效日期`);
      continue;
    }
    if (yearOf(number) !== year) problems.push(`${day.date} 不在 ${year} 年内`);
    if (seen.has(number)) problems.push(`${day.date} 重复出现`);
    seen.add(number);
    if (day.kind === 'workday') {
      workdays++;
      if (!isWeekend(number)) problems.push(`${day.date} 是周一至周五，不能登记为调休上班日（只能是周六或周日）`);
    } else if (!isWeekend(number)) {
      weekdayHolidays++;
    }
  }
  if (weekdayHolidays === 0) problems.push(`${year} 年没有落在周一至周五的放假日，不像是一份放假安排`);
  if (workdays > weekdayHolidays) {
    problems.push(`调休上班日（${workdays} 天）多于落在周一至周五的放假日（${weekdayHolidays} 天）`);
  }
  if (problems.length) return { problems };
  const days = [...parsed.data.days].sort((a, b) => a.date.localeCompare(b.date));
  return { data: { year, source: parsed.data.source, days }, problems: [] };
}

/** The normalized year, or a `CalendarValidationError` listing every problem. */
export function parseCalendarYear(input: unknown): CalendarYearData {
  const checked = checkCalendarYear(input);
  if (!checked.data) throw new CalendarValidationError(checked.problems);
  return checked.data;
}
