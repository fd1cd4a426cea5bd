import { z } from 'zod';
import type { CivilDate } from './shanghai-time.js';

/** `holiday`: a day off by the State Council's arrangement; `workday`: a weekend day worked instead (调休上班). */
export const CALENDAR_DAY_KINDS = ['holiday', 'workday'] as const;
export type CalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];

export interface CalendarDay {
  date: CivilDate;
  kind: CalendarDayKind;
  /** The festival it belongs to, e.g. 春节; a workday carries the festival it pays for. */
  name: string;
}

/** One year's published arrangement. Days not listed follow the week: Monday–Friday work, weekends off. */
export interface CalendarYearData {
  year: number;
  /** Where the dates come from (the notice's title, number and address). */
  source: string;
  days: readonly CalendarDay[];
}

/** The shape an admin API accepts for a year; the rules beyond shape are in `calendarYearProblems`. */
export const calendarDaySchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'),
  kind: z.enum(CALENDAR_DAY_KINDS),
  name: z.string().trim().min(1).max(50),
});

export const calendarYearSchema = z.object({
  year: z.number().int().min(2000).max(2100),
  source: z.string().trim().min(1).max(500),
  days: z.array(calendarDaySchema).min(1).max(366),
});
