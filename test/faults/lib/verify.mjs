// After the faults: wait until the platform is quiet, then check from the databases, the topics and the SMTP
// server that every acknowledged inquiry became exactly one routed case and every notice went out exactly once.

import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { PLANNED_CASE_EVENTS } from '../../../dist/apps/notifier/src/planning/planned-case-events.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const NOTIFIER_DLQ = 'delivery.events.v1.dlq';

export async function query(databaseUrl, sql, params = []) {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Every message of a topic, read with a throw-away consumer group up to the high watermarks seen at the start. */
export async function readTopic(brokers, topic, { raw = false } = {}) {
  const kafka = new Kafka({ clientId: 'wz-faults-reader', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let offsets;
  try {
    offsets = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const remaining = new Map(offsets.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const messages = [];
  if (remaining.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `wz-faults-reader-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out (${messages.length} read)`)), 180_000);
    consumer
      .run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const high = remaining.get(batch.partition);
            if (high === undefined || Number(m.offset) >= high) continue;
            messages.push({ partition: batch.partition, offset: m.offset, key: m.key?.toString(), value: raw ? m.value.toString() : JSON.parse(m.value.toString()) });
            if (Number(m.offset) >= high - 1) remaining.delete(batch.partition);
          }
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return messages;
}

/** Message counts of every `.dlq` topic that has any. */
export async function dlqCounts(brokers) {
  const kafka = new Kafka({ clientId: 'wz-faults-dlq', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out = {};
    for (const topic of (await admin.listTopics()).filter((t) => t.endsWith('.dlq'))) {
      const n = (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
      if (n > 0) out[topic] = n;
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Quiet = every acknowledged inquiry has a routed case, no outbox row is unsent, no delivery is pending or
 * sending, and the counts did not move for `stableMs`. Resolves with the last snapshot either way.
 */
export async function waitQuiescent({ databaseUrl, ackedIds, withNotifier, extraSchemas = [], timeoutMs, stableMs = 8000, stallMs = 90_000, log }) {
  const started = Date.now();
  let last = '';
  let since = Date.now();
  let snap;
  for (;;) {
    try {
      snap = await snapshot(databaseUrl, ackedIds, withNotifier, extraSchemas);
      const key = JSON.stringify(snap);
      if (key !== last) {
        last = key;
        since = Date.now();
      }
      const done = snap.routed === ackedIds.length && snap.outboxUnsent === 0 && snap.deliveriesOpen === 0 && snap.notifierBehind <= 0;
      if (done && Date.now() - since >= stableMs) return { ...snap, quiet: true, quietAt: Date.now(), waitedMs: Date.now() - started };
    } catch (error) {
      log(`quiescence check failed (${error.message}); retrying`);
    }
    // Not done and nothing moved for stallMs: what is missing will not come (the checks will say what it is).
    const stalled = Date.now() - since > stallMs;
    if (stalled) log(`no progress for ${stallMs / 1000}s: ${last}`);
    if (stalled || Date.now() - started > timeoutMs) return { ...snap, quiet: false, stalled, waitedMs: Date.now() - started };
    await sleep(2000);
  }
}

async function snapshot(databaseUrl, ackedIds, withNotifier, extraSchemas) {
  const [{ routed }] = await query(
    databaseUrl,
    `SELECT count(*)::int AS routed FROM router.cases WHERE inquiry_id = ANY($1) AND status NOT IN ('received', 'classified')`,
    [ackedIds],
  );
  const schemas = ['ingest_app', 'router', ...(withNotifier ? ['notifier'] : []), ...extraSchemas];
  let outboxUnsent = 0;
  for (const s of schemas) outboxUnsent += (await query(databaseUrl, `SELECT count(*)::int AS n FROM ${s}.outbox WHERE sent_at IS NULL`))[0].n;
  const deliveriesOpen = withNotifier
    ? (await query(databaseUrl, `SELECT count(*)::int AS n FROM notifier.deliveries WHERE status IN ('pending', 'sending')`))[0].n
    : 0;
  const deliveries = withNotifier ? (await query(databaseUrl, `SELECT count(*)::int AS n FROM notifier.deliveries`))[0].n : 0;
  const caseEvents = (await query(databaseUrl, `SELECT count(*)::int AS n FROM router.outbox WHERE topic = 'case.events.v1'`))[0].n;
  // Every case event the notifier plans from has been handled by it (its processed-message rows); it passes the
  // other types over without recording them.
  const planned = withNotifier
    ? (await query(databaseUrl, `SELECT count(*)::int AS n FROM router.outbox WHERE topic = 'case.events.v1' AND event_type = ANY($1)`, [
        [...PLANNED_CASE_EVENTS],
      ]))[0].n
    : 0;
  const notifierBehind = withNotifier
    ? planned - (await query(databaseUrl, `SELECT count(*)::int AS n FROM notifier.processed_messages WHERE consumer = 'notifier.cases'`))[0].n
    : 0;
  return { routed, outboxUnsent, deliveriesOpen, deliveries, caseEvents, notifierBehind };
}

/** A table of checks: `row(what, value, ok, note)` adds a line, and a failed one to `failures`. */
export function checkList() {
  const rows = [];
  const failures = [];
  const row = (what, value, ok = true, note = '') => {
    rows.push({ what, value, ok: ok ? 'ok' : 'FAIL', note });
    if (!ok) failures.push(`${what}: ${value}${note ? ` (${note})` : ''}`);
  };
  return { rows, failures, row };
}

/**
 * The exactly-once checks. Returns rows for the table and the list of failures (empty = pass). `channelIds`: the
 * inquiries of acknowledged WeChat/Weibo conversations, which go through the router and topic checks with the
 * app's; `channelDraftIds`: every inquiry the channel apps sent (not in ingest_app).
 * @param {{ databaseUrl: string, brokers: string, runTag: string, load: object, smtp?: object, channelIds?: string[],
 *           channelDraftIds?: string[] }} o
 */
export async function verify(o) {
  const { rows, failures, row } = checkList();
  const notes = [];
  const acked = [...o.load.acked.entries()];
  const appAckedIds = acked.map(([, a]) => a.inquiryId);
  const ackedIds = [...appAckedIds, ...(o.channelIds ?? [])];
  row('app submissions (logical)', o.load.acked.size + o.load.failed.size);
  row('app submissions acknowledged (2xx)', acked.length);
  const why = new Map();
  for (const e of o.load.failed.values()) {
    const k = e.replace(/[0-9A-Z]{26}/g, '…').slice(0, 60);
    why.set(k, (why.get(k) ?? 0) + 1);
  }
  const whyText = [...why].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([k, n]) => `${n}× ${k}`).join('; ');
  row('app submissions not acknowledged after retries', o.load.failed.size, true, `allowed: never promised to the citizen${whyText ? `; last errors: ${whyText}` : ''}`);
  row('app HTTP attempts / retries / idempotent replays', `${o.load.attemptsTotal} / ${o.load.retried} / ${o.load.replayed}`);

  // ingest-app: one row per acknowledged id, and no logical submission stored twice (the marker in the text).
  const inquiries = await query(o.databaseUrl, `SELECT inquiry_id, substring(content from '编号 ${o.runTag}-([0-9]+)') AS n FROM ingest_app.inquiries`);
  const stored = new Set(inquiries.map((r) => r.inquiry_id));
  const perMarker = new Map();
  for (const r of inquiries) perMarker.set(r.n, (perMarker.get(r.n) ?? 0) + 1);
  const missingIngest = appAckedIds.filter((id) => !stored.has(id));
  row('acknowledged but not in ingest_app.inquiries', missingIngest.length, missingIngest.length === 0, missingIngest.slice(0, 3).join(' '));
  const dupIngest = [...perMarker.values()].filter((c) => c > 1).length;
  row('submissions stored twice (ingest_app)', dupIngest, dupIngest === 0);
  const markerOf = new Map(inquiries.map((r) => [r.inquiry_id, r.n]));
  const mismatched = acked.filter(([n, a]) => stored.has(a.inquiryId) && markerOf.get(a.inquiryId) !== String(n)).length;
  row('acknowledged id pointing at another submission', mismatched, mismatched === 0);

  // router: a case per acknowledged inquiry, routed (assigned or queued), none for the same submission twice.
  const cases = await query(o.databaseUrl, `SELECT inquiry_id, status, unit_id FROM router.cases`);
  const caseById = new Map(cases.map((c) => [c.inquiry_id, c]));
  const missingCase = ackedIds.filter((id) => !caseById.has(id));
  row('acknowledged (every channel) with no case (LOST)', missingCase.length, missingCase.length === 0, missingCase.slice(0, 3).join(' '));
  const unrouted = ackedIds.filter((id) => caseById.has(id) && ['received', 'classified'].includes(caseById.get(id).status));
  row('cases stuck before routing', unrouted.length, unrouted.length === 0);
  const assigned = cases.filter((c) => c.status === 'assigned').length;
  const queued = cases.filter((c) => c.status === 'queued_for_desk').length;
  row('cases assigned / queued for desk / total', `${assigned} / ${queued} / ${cases.length}`);
  const reasons = await query(o.databaseUrl, `SELECT split_part(regexp_replace(coalesce(desk_reason, '?'), '[0-9.]+', 'n', 'g'), '：', 1) AS r, count(*)::int AS n FROM router.cases WHERE status = 'queued_for_desk' GROUP BY 1 ORDER BY 2 DESC LIMIT 3`);
  if (reasons.length) row('desk reasons (top 3)', reasons.map((r) => `${r.n}× ${r.r.slice(0, 30)}`).join('; '));
  const sent = new Set([...stored, ...(o.channelDraftIds ?? [])]);
  const orphanCases = cases.filter((c) => !sent.has(c.inquiry_id)).length;
  row('cases with no ingest row', orphanCases, orphanCases === 0);

  // case.events.v1: per inquiry, Received and Assigned|QueuedForDesk exactly once as events (distinct ids);
  // the same event id twice is the outbox relay re-publishing after a crash, which consumers absorb.
  const events = await readTopic(o.brokers, 'case.events.v1');
  const byInquiry = new Map();
  const seenIds = new Map();
  for (const m of events) {
    const e = m.value;
    seenIds.set(e.id, (seenIds.get(e.id) ?? 0) + 1);
    if (seenIds.get(e.id) > 1) continue;
    const id = e.payload?.inquiryId;
    const k = byInquiry.get(id) ?? {};
    k[e.type] = (k[e.type] ?? 0) + 1;
    if (e.type === 'Assigned' && !e.payload.unitContacts) k.assignedWithoutContacts = (k.assignedWithoutContacts ?? 0) + 1;
    // The router's own decision is `auto`; an operator's assignment of a queued case comes after it (desk-steps.mjs).
    if (e.type === 'Assigned' && e.payload.actor !== 'auto') k.byDesk = (k.byDesk ?? 0) + 1;
    byInquiry.set(id, k);
  }
  const republished = [...seenIds.values()].filter((c) => c > 1).length;
  row('case.events.v1 messages / distinct events', `${events.length} / ${seenIds.size}`);
  row('events re-published with the same id', republished, true, 'at-least-once relay; consumers de-duplicate by id');
  const countOf = (type, pred) => ackedIds.filter((id) => pred((byInquiry.get(id) ?? {})[type] ?? 0)).length;
  row('acknowledged with no Received event', countOf('Received', (c) => c === 0), countOf('Received', (c) => c === 0) === 0);
  row('duplicate Received (two event ids)', countOf('Received', (c) => c > 1), countOf('Received', (c) => c > 1) === 0);
  row('duplicate Assigned (two event ids)', countOf('Assigned', (c) => c > 1), countOf('Assigned', (c) => c > 1) === 0);
  row('duplicate QueuedForDesk (two event ids)', countOf('QueuedForDesk', (c) => c > 1), countOf('QueuedForDesk', (c) => c > 1) === 0);
  const both = ackedIds.filter((id) => {
    const k = byInquiry.get(id) ?? {};
    return (k.Assigned ?? 0) - (k.byDesk ?? 0) + (k.QueuedForDesk ?? 0) !== 1;
  }).length;
  row("acknowledged not routed exactly once on the topic (the router's decision)", both, both === 0);

  // The notifier dead-letters its own uncertain and dead deliveries, for the operators' replay (apps/notifier/README.md);
  // every other `.dlq` holds messages a consumer gave up on.
  const { [NOTIFIER_DLQ]: notifierLetters = 0, ...dlq } = await dlqCounts(o.brokers);
  const dlqTotal = Object.values(dlq).reduce((a, b) => a + b, 0);
  row('dead-lettered messages (consumers)', dlqTotal, dlqTotal === 0, JSON.stringify(dlq));
  if (o.smtp) {
    const letters = notifierLetters ? new Set((await readTopic(o.brokers, NOTIFIER_DLQ)).map((m) => m.value.payload.messageId)) : new Set();
    const given = await query(o.databaseUrl, `SELECT message_id FROM notifier.deliveries WHERE status IN ('uncertain', 'dead')`);
    const unreported = given.filter((d) => !letters.has(d.message_id)).length;
    row('uncertain or dead deliveries / dead-lettered for the operators', `${given.length} / ${letters.size}`, unreported === 0 && letters.size === given.length, NOTIFIER_DLQ);
  }

  if (o.smtp) {
    const deliveries = await query(
      o.databaseUrl,
      `SELECT d.message_id, d.idempotency_key, d.inquiry_id, d.status, d.attempts, d.purpose, (extract(epoch FROM d.sent_at) * 1000)::float8 AS sent_ms,
              (extract(epoch FROM d.created_at) * 1000)::float8 AS created_ms
         FROM notifier.deliveries d WHERE d.channel = 'email'`,
    );
    const assignedEvents = ackedIds.reduce((s, id) => s + ((byInquiry.get(id) ?? {}).Assigned ?? 0), 0);
    // Unit notices of acknowledged inquiries only: a submission stored whose answer was lost (the app killed before
    // it answered) has its case and notice too, but is not among the acknowledged.
    const ackedSet = new Set(ackedIds);
    const assignmentMails = deliveries.filter((d) => d.purpose === 'assignment' && ackedSet.has(d.inquiry_id));
    const noContacts = ackedIds.reduce((s, id) => s + ((byInquiry.get(id) ?? {}).assignedWithoutContacts ?? 0), 0);
    row('Assigned events without unitContacts', noContacts, noContacts === 0, 'no address, so no notice can be planned');
    row('Assigned events / unit e-mail deliveries planned', `${assignedEvents} / ${assignmentMails.length}`, assignedEvents === assignmentMails.length);
    // A clock's timer may plan a notice (an SLA warning) after the platform was found quiet: not the load's, not due yet.
    const late = new Set(deliveries.filter((d) => o.quietAt && d.created_ms > o.quietAt && d.status !== 'sent'));
    row('notices planned after quiescence, not sent yet (timers)', late.size, true);
    const notSent = deliveries.filter((d) => d.status !== 'sent' && !late.has(d));
    row('deliveries not sent (dead/uncertain/pending)', notSent.length, notSent.length === 0, notSent.slice(0, 3).map((d) => `${d.message_id}:${d.status}`).join(' '));
    let once = 0;
    let never = 0;
    let twice = 0;
    let extraMails = 0;
    const known = new Set();
    for (const d of deliveries) {
      known.add(d.message_id);
      const c = o.smtp.byDelivery.get(d.message_id) ?? 0;
      if (c === 0 && d.status === 'sent') never++;
      else if (c === 1) once++;
      else if (c > 1) {
        twice++;
        extraMails += c - 1;
      }
    }
    const phantom = [...o.smtp.byDelivery.keys()].filter((id) => !known.has(id)).length;
    row('mails received at the SMTP server', o.smtp.total);
    row('deliveries received exactly once', once);
    row('sent deliveries never received (LOST)', never, never === 0);
    row('mails with no delivery row / unlabelled', `${phantom} / ${o.smtp.unlabelled.length}`, phantom === 0 && o.smtp.unlabelled.length === 0);
    // Unit e-mail is documented at-least-once (apps/notifier/README.md "Never twice"): a crash between the SMTP
    // answer and the commit re-sends it with the same Message-ID. Reported separately, not hidden.
    row('unit e-mails received more than once', `${twice} deliveries, ${extraMails} extra mails`, true, 'documented at-least-once for units (same Message-ID)');
    // How long a mail the SMTP server had accepted stayed unrecorded: the window in which a kill -9 sends it again.
    const lags = deliveries
      .filter((d) => d.sent_ms && o.smtp.byDelivery.get(d.message_id) === 1)
      .map((d) => d.sent_ms - o.smtp.firstAt.get(d.message_id))
      .sort((a, b) => a - b);
    const at = (q) => Math.round(lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0);
    row('SMTP answer → `sent` recorded, ms (p50 / p99 / max)', `${at(0.5)} / ${at(0.99)} / ${at(1)}`, true);
    if (twice > 0 && o.faults) row('  … by the fault just after the first copy', JSON.stringify(repeatsByFault(deliveries, o.smtp, o.faults)), true);
    notes.push({ twice, extraMails });
  }
  return { rows, failures, notes, events };
}

/** A repeated mail's first copy was sent just before a crash lost the record of it: the first fault within 5 s after. */
function repeatsByFault(deliveries, smtp, faults) {
  const counts = {};
  for (const d of deliveries) {
    if ((smtp.byDelivery.get(d.message_id) ?? 0) < 2) continue;
    const first = smtp.firstAt.get(d.message_id);
    const fault = faults.find((f) => f.startedAt >= first - 100 && f.startedAt <= first + 5000);
    const nearest = [...faults].sort((a, b) => Math.abs(a.startedAt - first) - Math.abs(b.startedAt - first))[0];
    const name = fault?.fault ?? `none within 5 s (nearest: ${nearest?.fault}, ${((first - (nearest?.startedAt ?? first)) / 1000).toFixed(0)} s after it)`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

export function printTable(title, rows) {
  if (rows.length === 0) return `\n${title}\n  (none)`;
  const w = [Math.max(...rows.map((r) => r.what.length)), Math.max(...rows.map((r) => String(r.value).length)), 4];
  const line = (a, b, c, d = '') => `  ${a.padEnd(w[0])}  ${String(b).padStart(w[1])}  ${c.padEnd(w[2])}  ${d}`;
  const out = [`\n${title}`, line('check', 'value', 'ok', 'note'), `  ${'-'.repeat(w[0] + w[1] + 12)}`];
  for (const r of rows) out.push(line(r.what, r.value, r.ok, r.note));
  return out.join('\n');
}
