import { Injectable } from '@nestjs/common';
import { writeBehind } from '@app/common';
import type { EntityManager } from 'typeorm';

/**
 * `desk` (2 wall-clock hours from receipt), `accept` and `reply` (the unit's working days) raise SlaWarning and
 * SlaBreached; `close` is the auto-close timer of a replied case nobody rated.
 */
export type ClockName = 'desk' | 'accept' | 'reply' | 'close';

export interface DueClock {
  inquiryId: string;
  clock: ClockName;
  unitId: string | null;
  dueAt: Date;
}

/** One row per clock of a case (DESIGN rule 5: clocks are data). Writes nothing reads are written behind (`writeBehind`). */
@Injectable()
export class ClockRepository {
  /** Starts (or restarts) a clock: a new deadline, nothing warned, breached or met yet. */
  async start(
    manager: EntityManager,
    inquiryId: string,
    clock: ClockName,
    unitId: string | null,
    dueAt: Date,
    warnAt: Date | null,
  ): Promise<void> {
    await this.startMany(manager, [{ inquiryId, clock, unitId, dueAt, warnAt }]);
  }

  async startMany(
    manager: EntityManager,
    clocks: { inquiryId: string; clock: ClockName; unitId: string | null; dueAt: Date; warnAt: Date | null }[],
  ): Promise<void> {
    if (clocks.length === 0) return;
    const rows = clocks.map((c) => ({ inquiry_id: c.inquiryId, clock: c.clock, unit_id: c.unitId, due_at: c.dueAt, warn_at: c.warnAt }));
    await writeBehind(manager, {
      text: `INSERT INTO deadlines (inquiry_id, clock, unit_id, due_at, warn_at)
       SELECT inquiry_id, clock, unit_id, due_at, warn_at
       FROM jsonb_to_recordset($1::jsonb) AS x(inquiry_id text, clock text, unit_id text, due_at timestamptz, warn_at timestamptz)
       ON CONFLICT (inquiry_id, clock) DO UPDATE SET unit_id = EXCLUDED.unit_id, due_at = EXCLUDED.due_at,
         warn_at = EXCLUDED.warn_at, warned_at = NULL, breached_at = NULL, met_at = NULL, on_time = NULL,
         cancelled = false, created_at = now()`,
      values: [JSON.stringify(rows)],
    });
  }

  /** Moves a running clock's deadline (an extension); a warning or breach already raised is raised again later. */
  async extend(manager: EntityManager, inquiryId: string, clock: ClockName, dueAt: Date, warnAt: Date | null): Promise<void> {
    await manager.query(
      `UPDATE deadlines SET due_at = $3, warn_at = $4,
         warned_at = CASE WHEN $4::timestamptz > now() THEN NULL ELSE warned_at END,
         breached_at = CASE WHEN $3::timestamptz > now() THEN NULL ELSE breached_at END
       WHERE inquiry_id = $1 AND clock = $2`,
      [inquiryId, clock, dueAt, warnAt],
    );
  }

  /** Stops a clock because its step happened; returns whether it was on time (true when no clock ran). */
  async meet(manager: EntityManager, inquiryId: string, clock: ClockName, at: Date): Promise<boolean> {
    const rows: { onTime: boolean }[] = await manager.query(
      `WITH u AS (UPDATE deadlines SET met_at = $3, on_time = ($3 <= due_at)
         WHERE inquiry_id = $1 AND clock = $2 AND met_at IS NULL AND NOT cancelled
         RETURNING on_time) SELECT on_time AS "onTime" FROM u`,
      [inquiryId, clock, at],
    );
    if (rows[0]) return rows[0].onTime;
    const done: { onTime: boolean | null }[] = await manager.query(
      `SELECT on_time AS "onTime" FROM deadlines WHERE inquiry_id = $1 AND clock = $2`,
      [inquiryId, clock],
    );
    return done[0]?.onTime ?? true;
  }

  /** Stops the clock of several cases at once where it runs (a case leaving the desk); nothing is returned. */
  async meetMany(manager: EntityManager, inquiryIds: string[], clock: ClockName, at: Date): Promise<void> {
    await writeBehind(manager, {
      text: `UPDATE deadlines SET met_at = $3, on_time = ($3 <= due_at)
       WHERE inquiry_id = ANY($1::text[]) AND clock = $2 AND met_at IS NULL AND NOT cancelled`,
      values: [inquiryIds, clock, at],
    });
  }

  async cancel(manager: EntityManager, inquiryId: string | string[], clocks: ClockName[]): Promise<void> {
    await writeBehind(manager, {
      text: `UPDATE deadlines SET cancelled = true WHERE inquiry_id = ANY($1::text[]) AND clock = ANY($2) AND met_at IS NULL`,
      values: [Array.isArray(inquiryId) ? inquiryId : [inquiryId], clocks],
    });
  }

  async dueAt(manager: EntityManager, inquiryId: string, clock: ClockName): Promise<Date | undefined> {
    const rows: { dueAt: Date }[] = await manager.query(
      `SELECT due_at AS "dueAt" FROM deadlines WHERE inquiry_id = $1 AND clock = $2`,
      [inquiryId, clock],
    );
    return rows[0]?.dueAt;
  }

  /**
   * Locks up to `limit` open clocks whose warning (or breach) is due and marks them raised, in the caller's
   * transaction, in one statement. SKIP LOCKED: two scanners never take the same row; the *_at mark makes it once
   * per clock.
   */
  async takeDue(manager: EntityManager, step: 'warn' | 'breach' | 'close', now: Date, limit = 200): Promise<DueClock[]> {
    const where =
      step === 'warn'
        ? `clock IN ('desk', 'accept', 'reply') AND warned_at IS NULL AND breached_at IS NULL AND warn_at <= $1 AND due_at > $1`
        : step === 'breach'
          ? `clock IN ('desk', 'accept', 'reply') AND breached_at IS NULL AND due_at <= $1`
          : `clock = 'close' AND due_at <= $1`;
    const column = step === 'warn' ? 'warned_at' : step === 'breach' ? 'breached_at' : 'met_at';
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count].
    return manager.query(
      `WITH due AS (
         SELECT inquiry_id, clock FROM deadlines
         WHERE met_at IS NULL AND NOT cancelled AND ${where}
         ORDER BY due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED),
       taken AS (
         UPDATE deadlines d SET ${column} = $1 FROM due WHERE d.inquiry_id = due.inquiry_id AND d.clock = due.clock
         RETURNING d.inquiry_id, d.clock, d.unit_id, d.due_at)
       SELECT inquiry_id AS "inquiryId", clock, unit_id AS "unitId", due_at AS "dueAt" FROM taken ORDER BY due_at`,
      [now],
    );
  }
}
