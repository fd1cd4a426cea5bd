// The SLA clocks, checked after the faults (see clock-mover.mjs): every warning and breach the routers recorded is
// one event on case.events.v1, none is raised twice, no moved clock's deadline passed unnoticed, and each raised
// one planned its notices once: the unit's mail (accept and reply clocks) and, for a breach, the supervision
// body's. verify.mjs's mail checks then count every planned mail at the SMTP server.

import { checkList, query } from './verify.mjs';

const SLA_TYPES = ['SlaWarning', 'SlaBreached'];

/**
 * @param {{ databaseUrl: string, mover: import('./clock-mover.mjs').ClockMover, events: { value: object }[],
 *           quietAt?: number, supervision: boolean }} o
 */
export async function verifyClocks(o) {
  const { rows, failures, row } = checkList();
  const byClock = {};
  for (const m of o.mover.moved.values()) byClock[m.clock] = (byClock[m.clock] ?? 0) + 1;
  row('clocks moved to come due within the run', o.mover.moved.size, o.mover.moved.size > 0, JSON.stringify(byClock));

  // Distinct events per clock and deadline: the same event id twice is the relay's re-publishing, absorbed downstream.
  const raised = new Map();
  const seen = new Set();
  for (const { value: e } of o.events) {
    if (!SLA_TYPES.includes(e.type) || seen.has(e.id)) continue;
    seen.add(e.id);
    const key = `${e.type}|${e.payload.inquiryId}|${e.payload.clock}|${Date.parse(e.payload.deadline)}`;
    raised.set(key, [...(raised.get(key) ?? []), e]);
  }
  const twice = [...raised.values()].filter((es) => es.length > 1);
  row('SLA events raised twice for one clock and deadline', twice.length, twice.length === 0, twice.slice(0, 2).map((es) => es[0].payload.inquiryId).join(' '));

  const marked = await query(
    o.databaseUrl,
    `SELECT inquiry_id, clock, floor(extract(epoch FROM due_at) * 1000)::float8 AS due_ms, warned_at IS NOT NULL AS warned,
            breached_at IS NOT NULL AS breached, met_at IS NOT NULL AS met, cancelled
       FROM router.deadlines WHERE clock IN ('desk', 'accept', 'reply') AND (warned_at IS NOT NULL OR breached_at IS NOT NULL OR inquiry_id = ANY($1))`,
    [[...o.mover.moved.keys()]],
  );
  const expected = new Set();
  let warnings = 0;
  let breaches = 0;
  const missed = [];
  for (const d of marked) {
    if (d.warned) {
      expected.add(`SlaWarning|${d.inquiry_id}|${d.clock}|${d.due_ms}`);
      warnings++;
    }
    if (d.breached) {
      expected.add(`SlaBreached|${d.inquiry_id}|${d.clock}|${d.due_ms}`);
      breaches++;
    }
    const moved = o.mover.moved.get(d.inquiry_id);
    if (moved?.clock === d.clock && !d.breached && !d.met && !d.cancelled && d.due_ms < (o.quietAt ?? Date.now())) missed.push(d.inquiry_id);
  }
  const noEvent = [...expected].filter((k) => !raised.has(k));
  const unrecorded = [...raised.keys()].filter((k) => !expected.has(k));
  row('warnings / breaches recorded on the clocks', `${warnings} / ${breaches}`, breaches > 0, 'a breach needs no warning first when the scan comes after both');
  row('recorded but no event on case.events.v1 (LOST)', noEvent.length, noEvent.length === 0, noEvent.slice(0, 2).join(' '));
  row('events with no record on their clock', unrecorded.length, unrecorded.length === 0, unrecorded.slice(0, 2).join(' '));
  row('moved deadlines passed, clock open, never breached (MISSED)', missed.length, missed.length === 0, missed.slice(0, 3).join(' '));

  // The notices: one per event and addressee, planned under the event's id (apps/notifier notification.planner.ts).
  const planned = await query(
    o.databaseUrl,
    `SELECT idempotency_key, count(*)::int AS n FROM notifier.deliveries WHERE purpose IN ('sla_warning', 'sla_breach') GROUP BY 1`,
  );
  const plannedOf = new Map(planned.map((p) => [p.idempotency_key, p.n]));
  const wanted = new Set();
  for (const es of raised.values()) {
    const e = es[0];
    if (e.payload.clock !== 'desk') wanted.add(`${e.id}:email:unit`);
    if (e.type === 'SlaBreached' && o.supervision) wanted.add(`${e.id}:email:supervision`);
  }
  const notPlanned = [...wanted].filter((k) => !plannedOf.has(k));
  const extra = [...plannedOf.keys()].filter((k) => !wanted.has(k));
  const doubled = [...plannedOf.values()].filter((n) => n > 1).length;
  row('SLA notices expected (unit, supervision) / planned', `${wanted.size} / ${plannedOf.size}`, true);
  row('SLA notices not planned (unit or supervision not told)', notPlanned.length, notPlanned.length === 0, notPlanned.slice(0, 2).join(' '));
  row('SLA notices planned with no event, or twice', `${extra.length} / ${doubled}`, extra.length === 0 && doubled === 0);
  return { rows, failures };
}
