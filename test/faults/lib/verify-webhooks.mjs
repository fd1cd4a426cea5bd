// The units' webhooks, checked after the faults. A quarter of the units registered a webhook before the load
// (PUT /agency/webhook, prefer "both": the e-mail checks stay as they are). Each assignment to one of them is one
// signed webhook call planned, and every call recorded `sent` was taken by the receiver (which refuses the first
// call of about one in ten with a 503). Webhooks, like unit e-mail,
// are at least once (apps/notifier/README.md): a call repeated after a crash carries the same delivery id and is
// reported, not failed.

import { checkList, query } from './verify.mjs';

/**
 * @param {{ databaseUrl: string, sink: { byDelivery: Map<string, number>, total: number, badSignature: number },
 *           hookedUnits: Set<string>, ackedIds: string[], events: { value: object }[] }} o
 */
export async function verifyWebhooks(o) {
  const { rows, failures, row } = checkList();
  const acked = new Set(o.ackedIds);
  const assignedTo = new Map();
  const seen = new Set();
  for (const { value: e } of o.events) {
    if (e.type !== 'Assigned' || seen.has(e.id) || !acked.has(e.payload.inquiryId)) continue;
    seen.add(e.id);
    if (o.hookedUnits.has(e.payload.unitId)) assignedTo.set(e.payload.inquiryId, (assignedTo.get(e.payload.inquiryId) ?? 0) + 1);
  }
  const deliveries = await query(o.databaseUrl, `SELECT message_id, inquiry_id, purpose, status FROM notifier.deliveries WHERE channel = 'webhook'`);
  const planned = new Map();
  for (const d of deliveries) if (d.purpose === 'assignment' && acked.has(d.inquiry_id)) planned.set(d.inquiry_id, (planned.get(d.inquiry_id) ?? 0) + 1);
  const sum = (counts) => [...counts.values()].reduce((a, b) => a + b, 0);
  const expected = sum(assignedTo);
  const wrong = [...new Set([...assignedTo.keys(), ...planned.keys()])].filter((id) => (assignedTo.get(id) ?? 0) !== (planned.get(id) ?? 0));
  row('units with a webhook', o.hookedUnits.size, o.hookedUnits.size > 0);
  row('assignments to them / webhook notices planned', `${expected} / ${sum(planned)}`, expected > 0);
  row('cases whose webhook notices ≠ their assignments to such units', wrong.length, wrong.length === 0, wrong.slice(0, 3).join(' '));

  const notSent = deliveries.filter((d) => d.status !== 'sent');
  const known = new Set(deliveries.map((d) => d.message_id));
  const lost = deliveries.filter((d) => d.status === 'sent' && !o.sink.byDelivery.has(d.message_id));
  const repeated = deliveries.filter((d) => (o.sink.byDelivery.get(d.message_id) ?? 0) > 1);
  const phantom = [...o.sink.byDelivery.keys()].filter((id) => !known.has(id));
  row('webhook calls received / refused once with 503 / bad signatures', `${o.sink.total} / ${o.sink.refused} / ${o.sink.badSignature}`, o.sink.badSignature === 0);
  row('webhook deliveries not sent (dead/uncertain/pending)', notSent.length, notSent.length === 0, notSent.slice(0, 3).map((d) => `${d.message_id}:${d.status}`).join(' '));
  row('sent webhook deliveries never taken (LOST)', lost.length, lost.length === 0);
  row('webhook calls with no delivery row', phantom.length, phantom.length === 0);
  row('webhook deliveries taken more than once', repeated.length, true, 'at least once for units (same delivery id)');
  return { rows, failures };
}
