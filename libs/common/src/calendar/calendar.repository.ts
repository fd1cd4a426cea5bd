import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CalendarDay, CalendarDayKind, CalendarYearData } from './calendar.types.js';

export interface CalendarYearRecord {
  year: number;
  source: string;
  loadedAt: string;
  holidays: number;
  workdays: number;
}

@Injectable()
export class CalendarRepository {
  /** Inserts a year and its days; false (and nothing written) when the year is already loaded. */
  async insertYear(manager: EntityManager, data: CalendarYearData): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO calendar_years (year, source) VALUES ($1, $2) ON CONFLICT (year) DO NOTHING RETURNING year`,
      [data.year, data.source],
    );
    if (!inserted.length) return false;
    await manager.query(
      `INSERT INTO calendar_days (date, year, kind, name)
       SELECT d::date, $1, k, n FROM unnest($2::text[], $3::text[], $4::text[]) AS t(d, k, n)`,
      [data.year, data.days.map((d) => d.date), data.days.map((d) => d.kind), data.days.map((d) => d.name)],
    );
    return true;
  }

  /** Removes a year and, by cascade, its days. */
  async deleteYear(manager: EntityManager, year: number): Promise<void> {
    await manager.query(`DELETE FROM calendar_years WHERE year = $1`, [year]);
  }

  async listYears(manager: EntityManager): Promise<CalendarYearRecord[]> {
    const rows: { year: number; source: string; loaded_at: Date; holidays: number; workdays: number }[] =
      await manager.query(
        `SELECT y.year, y.source, y.loaded_at,
                count(d.date) FILTER (WHERE d.kind = 'holiday')::int AS holidays,
                count(d.date) FILTER (WHERE d.kind = 'workday')::int AS workdays
           FROM calendar_years y LEFT JOIN calendar_days d ON d.year = y.year
          GROUP BY y.year ORDER BY y.year`,
      );
    return rows.map((r) => ({
      year: r.year,
      source: r.source,
      loadedAt: new Date(r.loaded_at).toISOString(),
      holidays: r.holidays,
      workdays: r.workdays,
    }));
  }

  /** Every listed day; `date::text` so node-pg does not turn a DATE into a local-time-zone Date. */
  async listDays(manager: EntityManager): Promise<CalendarDay[]> {
    const rows: { date: string; kind: CalendarDayKind; name: string }[] = await manager.query(
      `SELECT date::text AS date, kind, name FROM calendar_days ORDER BY date`,
    );
    return rows;
  }

  /** Changes whenever a year is added or replaced: lets an instance notice another instance's admin change. */
  async fingerprint(manager: EntityManager): Promise<string> {
    const [row]: { n: number; at: string | null }[] = await manager.query(
      `SELECT count(*)::int AS n, max(loaded_at)::text AS at FROM calendar_years`,
    );
    return `${row?.n ?? 0}@${row?.at ?? ''}`;
  }
}
