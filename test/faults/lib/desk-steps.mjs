// The editorial desk under faults: while the load runs, an operator takes every case the router queued for the
// desk, claims it and assigns it to the router's first suggestion (or a fixed unit when it has none), through the
// desk API of either router (POST /desk/cases/:id/claim, /assign; a desk token). About one assignment in five is
// sent twice at once, as a double click would; a request whose answer was lost is sent again. Either way the
// case must be assigned once: one Assigned event, one notice (verify-desk.mjs).

import { CaseWorker } from './case-worker.mjs';
import { staffToken } from './unit-replies.mjs';

export const DESK_OPERATOR = 'faults-desk-1';

export class DeskOperator extends CaseWorker {
  /** @param {{ databaseUrl: string, routerUrls: string[], secret: string, fallbackUnit: string, random: () => number, log: (m: string) => void }} o */
  constructor(o) {
    super(o, 'desk', `SELECT inquiry_id, suggestions FROM router.cases WHERE status = 'queued_for_desk' ORDER BY received_at LIMIT 500`);
    this.token = staffToken(o.secret, { sub: DESK_OPERATOR, role: 'desk' });
    /** inquiryId → the unit it was assigned to */
    this.assignedTo = new Map();
    this.doubled = 0;
  }

  /** Resolves with 'assigned' or the error the operator was shown. */
  async work({ inquiry_id: inquiryId, suggestions }) {
    const path = `/desk/cases/${encodeURIComponent(inquiryId)}`;
    const claim = await this.post(`${path}/claim`, this.token, {});
    if (claim.status !== 204) return `claim: ${claim.status ? `HTTP ${claim.status} ${claim.text.slice(0, 100)}` : claim.text}`;
    const unitId = suggestions?.[0]?.unitId ?? this.o.fallbackUnit;
    const assign = () => this.post(`${path}/assign`, this.token, { unitId, reason: '值班编辑分派' });
    const double = this.o.random() < 0.2;
    if (double) this.doubled++;
    const answers = double ? await Promise.all([assign(), assign()]) : [await assign()];
    const refused = answers.find((a) => a.status !== 204);
    if (refused) return `assign: ${refused.status ? `HTTP ${refused.status} ${refused.text.slice(0, 100)}` : refused.text}`;
    this.assignedTo.set(inquiryId, unitId);
    return 'assigned';
  }

  get stats() {
    return { posts: this.posts, retries: this.retries, assigned: this.assignedTo.size, sentTwiceAtOnce: this.doubled };
  }
}
