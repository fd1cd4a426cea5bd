import type { DataSource } from 'typeorm';
import { CalendarRepository } from './calendar.repository.js';
import type { CalendarYearData } from './calendar.types.js';
import { parseCalendarYear } from './calendar.validation.js';
import { CHINA_HOLIDAYS } from './china-holidays.data.js';

/**
 * Loads the committed arrangements into the calendar tables, each year in its own transaction; a year already
 * in the table is left as it is (an administrator may have corrected it), so running this at every start-up is
 * safe, also from several instances at once. Returns the years it inserted.
 */
export async function seedCalendar(
  dataSource: DataSource,
  years: readonly CalendarYearData[] = CHINA_HOLIDAYS,
  repository = new CalendarRepository(),
): Promise<number[]> {
  const inserted: number[] = [];
  for (const year of years) {
    const data = parseCalendarYear(year);
    if (await dataSource.transaction((manager) => repository.insertYear(manager, data))) inserted.push(data.year);
  }
  return inserted;
}
