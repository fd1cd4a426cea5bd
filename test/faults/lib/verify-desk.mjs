// The desk's steps, checked after the faults (see desk-steps.mjs): every case the operator was told is assigned
// is assigned to that unit, by one Assigned event of the operator, though about one in five was sent twice at
// once and some again after a lost answer; its desk clock stopped.

import { DESK_OPERATOR } from './desk-steps.mjs';
import { checkList, query } from './verify.mjs';

/** @param {{ databaseUrl: string, desk: import('./desk-steps.mjs').DeskOperator, events: { value: object }[] }} o */
export async function verifyDesk(o) {
  const { rows, failures, row } = checkList();
  const s = o.desk.stats;
  const done = [...o.desk.assignedTo.keys()];
  const notDone = [...o.desk.outcome].filter(([, v]) => v !== 'assigned');
  row('desk: cases assigned by the operator / sent twice at once', `${done.length} / ${s.sentTwiceAtOnce}`, done.length > 0);
  row('desk: requests / retries', `${s.posts} / ${s.retries}`);
  row('desk: cases the operator could not assign', notDone.length, true, `allowed: the operator was shown an error${notDone.length ? `; e.g. ${notDone[0][1].slice(0, 60)}` : ''}`);

  const byCase = new Map();
  const seen = new Set();
  for (const { value: e } of o.events) {
    if (e.type !== 'Assigned' || e.payload.actor !== DESK_OPERATOR || seen.has(e.id)) continue;
    seen.add(e.id);
    byCase.set(e.payload.inquiryId, [...(byCase.get(e.payload.inquiryId) ?? []), e]);
  }
  const twice = done.filter((id) => (byCase.get(id)?.length ?? 0) > 1);
  const none = done.filter((id) => !byCase.has(id));
  const otherUnit = done.filter((id) => byCase.get(id)?.some((e) => e.payload.unitId !== o.desk.assignedTo.get(id)));
  row('desk assignments with no Assigned event (LOST)', none.length, none.length === 0, none.slice(0, 3).join(' '));
  row('desk assignments with two Assigned events (notified twice)', twice.length, twice.length === 0, twice.slice(0, 3).join(' '));
  row('desk assignments to another unit than chosen', otherUnit.length, otherUnit.length === 0);

  const state = await query(
    o.databaseUrl,
    `SELECT c.inquiry_id, c.status, c.unit_id, d.met_at IS NOT NULL AS desk_met FROM router.cases c
       LEFT JOIN router.deadlines d ON d.inquiry_id = c.inquiry_id AND d.clock = 'desk' WHERE c.inquiry_id = ANY($1)`,
    [done],
  );
  const wrongState = state.filter((c) => c.unit_id !== o.desk.assignedTo.get(c.inquiry_id) || ['queued_for_desk', 'received', 'classified'].includes(c.status));
  const clockRunning = state.filter((c) => !c.desk_met);
  row('desk-assigned cases not with the chosen unit', wrongState.length, wrongState.length === 0, wrongState.slice(0, 2).map((c) => `${c.inquiry_id}:${c.status}`).join(' '));
  row('desk-assigned cases whose desk clock still runs', clockRunning.length, clockRunning.length === 0);
  return { rows, failures };
}
