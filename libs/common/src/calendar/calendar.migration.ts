import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The working-day calendar's tables, for the schema of the app that owns the clocks (the router lists this
 * class in its migrations). The CHECKs repeat the rules of `checkCalendarYear` so a hand-edited row cannot
 * break the arithmetic either.
 */
export class CalendarTables1764205200000 implements MigrationInterface {
  name = 'CalendarTables1764205200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_years (
        year      integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
        source    text NOT NULL CHECK (length(source) > 0),
        loaded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE calendar_days (
        date date PRIMARY KEY,
        year integer NOT NULL REFERENCES calendar_years (year) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
        CONSTRAINT calendar_days_in_year CHECK (extract(year FROM date) = year),
        CONSTRAINT calendar_days_workday_on_weekend CHECK (kind <> 'workday' OR extract(isodow FROM date) IN (6, 7))
      )`);
    await q.query(`CREATE INDEX calendar_days_year_idx ON calendar_days (year)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_days`);
    await q.query(`DROP TABLE calendar_years`);
  }
}
