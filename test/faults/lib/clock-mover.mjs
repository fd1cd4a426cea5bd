// SLA clocks under faults. A unit has days to accept and answer and the desk two hours to route, far longer than
// a run; but clocks are data (DESIGN rule 5: a row of router.deadlines each), so the harness makes time pass by
// moving the data: while the load runs, one open clock of about one case in eight gets its warning a few seconds
// ahead and its deadline a few seconds later. The routers' clock scanners then raise SlaWarning and SlaBreached,
// and the notifier mails the unit and the supervision body, while services are killed and the broker and
// PostgreSQL restart. verify-clocks.mjs checks that each came exactly once and none was missed.

import { query } from './verify.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class ClockMover {
  /** @param {{ databaseUrl: string, random: () => number, share?: number, log: (m: string) => void }} o */
  constructor(o) {
    this.o = o;
    this.share = o.share ?? 1 / 8;
    /** inquiryId → { clock, warnAt, dueAt } as moved (the router's time, ms) */
    this.moved = new Map();
    this.passed = new Set();
    this.lastDueAt = 0;
    this.running = false;
  }

  start() {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.pass().catch((error) => this.o.log(`clock mover: ${error.message}; retrying`));
        await sleep(2000);
      }
    })();
  }

  /** Stops moving clocks and waits until the last moved deadline is past (plus the scanners' interval). */
  async stop(scanMs) {
    this.running = false;
    await this.loop;
    const wait = this.lastDueAt + 2 * scanMs - Date.now();
    if (wait > 0) await sleep(wait);
  }

  /** Looks at the open clocks of cases it has not considered yet, and moves one clock of about `share` of them. */
  async pass() {
    const open = await query(
      this.o.databaseUrl,
      `SELECT inquiry_id, array_agg(clock ORDER BY clock) AS clocks FROM router.deadlines
        WHERE clock IN ('desk', 'accept', 'reply') AND met_at IS NULL AND NOT cancelled AND warned_at IS NULL AND breached_at IS NULL
          AND created_at > now() - interval '2 minutes'
        GROUP BY inquiry_id`,
    );
    for (const c of open) {
      if (this.passed.has(c.inquiry_id)) continue;
      this.passed.add(c.inquiry_id);
      if (this.o.random() >= this.share) continue;
      const clock = c.clocks[Math.floor(this.o.random() * c.clocks.length)];
      const warnS = 2 + Math.round(this.o.random() * 10);
      const dueS = warnS + 3 + Math.round(this.o.random() * 9);
      // The database's clock, in the events' precision (ms); a clock met or raised meanwhile is left alone.
      const [r] = await query(
        this.o.databaseUrl,
        `UPDATE router.deadlines SET warn_at = date_trunc('milliseconds', now() + make_interval(secs => $3)),
              due_at = date_trunc('milliseconds', now() + make_interval(secs => $4))
          WHERE inquiry_id = $1 AND clock = $2 AND met_at IS NULL AND NOT cancelled AND warned_at IS NULL AND breached_at IS NULL
          RETURNING (extract(epoch FROM warn_at) * 1000)::float8 AS warn_ms, (extract(epoch FROM due_at) * 1000)::float8 AS due_ms`,
        [c.inquiry_id, clock, warnS, dueS],
      );
      if (!r) continue;
      this.moved.set(c.inquiry_id, { clock, warnAt: r.warn_ms, dueAt: r.due_ms });
      this.lastDueAt = Math.max(this.lastDueAt, r.due_ms);
    }
  }
}
