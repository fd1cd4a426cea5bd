/**
 * Civil dates and times in Asia/Shanghai without the machine's time zone: China has used UTC+8 all year
 * since 1991 (no daylight saving), so a fixed offset is exact for every date this platform handles.
 * A "day number" counts Shanghai civil days since 1970-01-01.
 */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

/** A civil date, `YYYY-MM-DD`. */
export type CivilDate = string;

const CIVIL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Shanghai day number of an instant. */
export function dayNumberOf(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new TypeError('invalid Date');
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** The day number of a `YYYY-MM-DD` civil date; undefined when the text is not a real calendar date. */
export function parseCivilDate(text: string): number | undefined {
  const match = CIVIL_DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

export function civilDateOf(day: number): CivilDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekend(day: number): boolean {
  const weekday = weekdayOf(day);
  return weekday === 0 || weekday === 6;
}

export function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** The instant a Shanghai civil day begins (00:00 UTC+8). */
export function startOfDay(day: number): Date {
  return new Date(day * DAY_MS - SHANGHAI_OFFSET_MS);
}

/** The last millisecond of a Shanghai civil day (23:59:59.999 UTC+8). */
export function endOfDay(day: number): Date {
  return new Date((day + 1) * DAY_MS - SHANGHAI_OFFSET_MS - 1);
}
