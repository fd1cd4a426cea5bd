// Units answering under faults: while the load runs, every case of a WeChat or Weibo citizen that the router
// assigned is answered by its unit through the agency API (POST /agency/cases/:id/reply, a unit's token), so the
// notifier's messages to citizens (the answer, the satisfaction call-back and its reminder) go out while services
// are killed and the broker and PostgreSQL restart. A reply whose answer was lost is sent again; the router then
// refuses it (409: the case is already answered), which tells the unit its first reply counted.

import { createHmac } from 'node:crypto';
import { CaseWorker } from './case-worker.mjs';

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

export class UnitReplier extends CaseWorker {
  /** @param {{ databaseUrl: string, routerUrls: string[], secret: string, log: (m: string) => void }} o */
  constructor(o) {
    super(o, 'replier', `SELECT inquiry_id, unit_id FROM router.cases WHERE status = 'assigned' AND channel IN ('wechat', 'weibo') ORDER BY received_at LIMIT 500`);
    this.counts = { answered: 0, lostAnswer: 0, failed: 0 };
  }

  get stats() {
    return { posts: this.posts, retries: this.retries, ...this.counts };
  }

  /** Resolves with 'answered' (200), 'lost-answer' (409 after a try whose answer was lost) or the last error. */
  async work({ inquiry_id: inquiryId, unit_id: unitId }) {
    const token = staffToken(this.o.secret, { sub: `faults-agent-${unitId}`, role: 'unit', unitId });
    const res = await this.post(`/agency/cases/${encodeURIComponent(inquiryId)}/reply`, token, { text: REPLY_TEXT });
    if (res.status === 200) {
      this.counts.answered++;
      return 'answered';
    }
    // A 409 after a failed try: the earlier try was committed, its answer lost (nothing else answers here).
    if (res.status === 409 && res.attempt > 1) {
      this.counts.lostAnswer++;
      return 'lost-answer';
    }
    this.counts.failed++;
    return res.status ? `HTTP ${res.status} ${res.text.slice(0, 120)}` : res.text;
  }

  /** The inquiries whose reply the router took (answered, or found answered after a lost answer). */
  replied() {
    return [...this.outcome].filter(([, o]) => o === 'answered' || o === 'lost-answer').map(([id]) => id);
  }
}
