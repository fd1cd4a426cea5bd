// Units answering under faults: while the load runs, every case of a WeChat or Weibo citizen that the router
// assigned is answered by its unit through the agency API (POST /agency/cases/:id/reply, a unit's token), so the
// notifier's messages to citizens (the answer, the satisfaction call-back and its reminder) go out while services
// are killed and the broker and PostgreSQL restart. A reply whose answer was lost is sent again; the router then
// refuses it (409: the case is already answered), which tells the unit its first reply counted.

import { createHmac } from 'node:crypto';
import { query } from './verify.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const REPLY_TEXT =
  '经核实，您反映的问题属实。我单位已于当日安排工作人员到现场查看，并联系责任方制定了整改方案，预计一周内完成整改。' +
  '整改完成后将再次回访，如仍有问题请通过本平台继续反映，感谢您对我们工作的监督。';

/** An HS256 bearer token for the router's staff API, signed with the secret the harness gave the router. */
export function staffToken(secret, claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, iat: now, exp: now + 4 * 3600 })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export class UnitReplier {
  /** @param {{ databaseUrl: string, routerUrls: string[], secret: string, log: (m: string) => void }} o  each try goes to the next router, as through a proxy */
  constructor(o) {
    this.o = o;
    /** inquiryId → 'answered' (200) | 'lost-answer' (409 after a try whose answer was lost) | the last error */
    this.outcome = new Map();
    this.inFlight = new Set();
    this.stats = { posts: 0, retries: 0, answered: 0, lostAnswer: 0, failed: 0 };
    this.running = false;
  }

  start() {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.pass().catch((error) => this.o.log(`replier: ${error.message}; retrying`));
        await sleep(2000);
      }
    })();
  }

  /** Stops polling, then answers what is still assigned and waits for every reply under way. */
  async drain() {
    this.running = false;
    await this.loop;
    for (let tries = 0; tries < 30; tries++) {
      try {
        if ((await this.pass()) === 0) break;
      } catch (error) {
        this.o.log(`replier: ${error.message}; retrying`);
      }
      await sleep(2000);
    }
    await Promise.all([...this.inFlight]);
  }

  /** Starts a reply for every assigned WeChat/Weibo case not answered yet; resolves with how many it started. */
  async pass() {
    const cases = await query(
      this.o.databaseUrl,
      `SELECT inquiry_id, unit_id FROM router.cases WHERE status = 'assigned' AND channel IN ('wechat', 'weibo') ORDER BY received_at LIMIT 500`,
    );
    let started = 0;
    for (const c of cases) {
      if (this.outcome.has(c.inquiry_id)) continue;
      this.outcome.set(c.inquiry_id, 'under way');
      started++;
      const p = this.reply(c.inquiry_id, c.unit_id).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
      while (this.inFlight.size >= 16) await Promise.race(this.inFlight);
    }
    return started;
  }

  async reply(inquiryId, unitId) {
    const token = staffToken(this.o.secret, { sub: `faults-agent-${unitId}`, role: 'unit', unitId });
    let last = '';
    for (let attempt = 1; attempt <= 12; attempt++) {
      this.stats.posts++;
      if (attempt > 1) this.stats.retries++;
      try {
        const router = this.o.routerUrls[(this.stats.posts + attempt) % this.o.routerUrls.length];
        const res = await fetch(`${router}/agency/cases/${encodeURIComponent(inquiryId)}/reply`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: REPLY_TEXT }),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status === 200) {
          this.stats.answered++;
          this.outcome.set(inquiryId, 'answered');
          return;
        }
        // A 409 after a failed try: the earlier try was committed, its answer lost (nothing else answers here).
        if (res.status === 409 && attempt > 1) {
          this.stats.lostAnswer++;
          this.outcome.set(inquiryId, 'lost-answer');
          return;
        }
        last = `HTTP ${res.status} ${text.slice(0, 120)}`;
        if (res.status < 500 && res.status !== 429) break;
      } catch (error) {
        last = `${error.name}: ${error.cause?.code ?? error.message}`;
      }
      await sleep(Math.min(8000, 250 * 2 ** (attempt - 1)));
    }
    this.stats.failed++;
    this.outcome.set(inquiryId, last);
  }

  /** The inquiries whose reply the router took (answered, or found answered after a lost answer). */
  replied() {
    return [...this.outcome].filter(([, o]) => o === 'answered' || o === 'lost-answer').map(([id]) => id);
  }
}
