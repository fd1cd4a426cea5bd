import type { CivilDate } from './shanghai-time.js';

/**
 * Coded calendar errors. The statuses are what an HTTP edge should answer (the router's exception filter
 * maps them); inside a clock scanner a `calendar_out_of_range` means an administrator must load a year.
 */
export const CALENDAR_ERROR_CODES = {
  calendar_out_of_range: 422,
  calendar_invalid: 400,
  calendar_year_exists: 409,
  calendar_not_loaded: 503,
} as const;

export type CalendarErrorCode = keyof typeof CALENDAR_ERROR_CODES;

export class CalendarError extends Error {
  constructor(
    readonly code: CalendarErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CalendarError';
  }

  get status(): number {
    return CALENDAR_ERROR_CODES[this.code];
  }
}

/** A computation needed a day of a year whose holiday arrangement is not loaded. Never guessed as Monday–Friday. */
export class CalendarRangeError extends CalendarError {
  constructor(
    readonly date: CivilDate,
    readonly coveredYears: readonly number[],
  ) {
    const covered = coveredYears.length ? coveredYears.join('、') : '无';
    super(
      'calendar_out_of_range',
      `工作日历未包含 ${date}（已载入年份：${covered}），请管理员先添加 ${date.slice(0, 4)} 年的放假安排`,
    );
    this.name = 'CalendarRangeError';
  }
}

/** Calendar data that breaks a rule; `problems` lists every one found, not just the first. */
export class CalendarValidationError extends CalendarError {
  constructor(readonly problems: readonly string[]) {
    super('calendar_invalid', `放假安排数据有误：${problems.join('；')}`);
    this.name = 'CalendarValidationError';
  }
}
