// People working on cases while the faults strike: a loop that polls the router's cases, starts a piece of work
// for each new one (at most 16 at a time), and posts to the staff APIs of either router in turn, as through a
// proxy, trying again after a refused connection, a 5xx or a 429. Used by the units (unit-replies.mjs) and the
// desk (desk-steps.mjs).

import { query } from './verify.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class CaseWorker {
  /**
   * @param {{ databaseUrl: string, routerUrls: string[], log: (m: string) => void }} o
   * @param {string} name  for the log
   * @param {string} sql  the cases to work on (an `inquiry_id` column, and what `work` needs)
   */
  constructor(o, name, sql) {
    this.o = o;
    this.name = name;
    this.sql = sql;
    /** inquiryId → the work's outcome ('under way' until it ends) */
    this.outcome = new Map();
    this.inFlight = new Set();
    this.posts = 0;
    this.retries = 0;
    this.running = false;
  }

  /** The work on one case; resolves with its outcome. */
  async work(_row) {
    throw new Error('CaseWorker.work must be overridden');
  }

  start() {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.pass().catch((error) => this.o.log(`${this.name}: ${error.message}; retrying`));
        await sleep(2000);
      }
    })();
  }

  /** Stops polling, then works on what is still there and waits for every piece of work under way. */
  async drain() {
    this.running = false;
    await this.loop;
    for (let tries = 0; tries < 30; tries++) {
      try {
        if ((await this.pass()) === 0) break;
      } catch (error) {
        this.o.log(`${this.name}: ${error.message}; retrying`);
      }
      await sleep(2000);
    }
    await Promise.all([...this.inFlight]);
  }

  /** Starts work on every case of `sql` not seen yet; resolves with how many it started. */
  async pass() {
    let started = 0;
    for (const row of await query(this.o.databaseUrl, this.sql)) {
      if (this.outcome.has(row.inquiry_id)) continue;
      this.outcome.set(row.inquiry_id, 'under way');
      started++;
      const p = this.work(row)
        .then((outcome) => this.outcome.set(row.inquiry_id, outcome))
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
      while (this.inFlight.size >= 16) await Promise.race(this.inFlight);
    }
    return started;
  }

  /**
   * POSTs `body` to `path` until an answer that is not a refused connection, a 5xx or a 429 (12 tries, back-off up
   * to 8 s). Resolves with `{ status, text, attempt }`; status 0 when no answer came at all.
   */
  async post(path, token, body) {
    let last = { status: 0, text: '', attempt: 0 };
    for (let attempt = 1; attempt <= 12; attempt++) {
      this.posts++;
      if (attempt > 1) this.retries++;
      try {
        const router = this.o.routerUrls[(this.posts + attempt) % this.o.routerUrls.length];
        const res = await fetch(`${router}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        last = { status: res.status, text: await res.text(), attempt };
        if (res.status < 500 && res.status !== 429) return last;
      } catch (error) {
        last = { status: 0, text: `${error.name}: ${error.cause?.code ?? error.message}`, attempt };
      }
      await sleep(Math.min(8000, 250 * 2 ** (attempt - 1)));
    }
    return last;
  }
}
