// The app's read model, checked after the faults: ingest-app projects case.events.v1 into `case_views` (what the
// citizen and the public portal see) and `case_timeline`, under the same kills and restarts as everything else.
// Once the platform is quiet, every case the router holds has its view, in the router's status and with its
// unit; each event the citizen's timeline shows (received, assigned, answered) is on it exactly once; and nothing
// is on it that the topic does not hold.

import { checkList, query } from './verify.mjs';

/** Event types the run produces that the timeline shows (apps/ingest-app read-model.service.ts). */
const TIMELINE_TYPES = ['Received', 'Assigned', 'ReplyPosted'];

/** @param {{ databaseUrl: string, events: { value: object }[] }} o */
export async function verifyReadModel(o) {
  const { rows, failures, row } = checkList();
  const cases = await query(o.databaseUrl, `SELECT inquiry_id, status, unit_id FROM router.cases`);
  const views = new Map(
    (await query(o.databaseUrl, `SELECT inquiry_id, status, unit_id, reply_text IS NOT NULL AS has_reply FROM ingest_app.case_views`)).map((v) => [v.inquiry_id, v]),
  );
  const noView = cases.filter((c) => !views.has(c.inquiry_id));
  const otherStatus = cases.filter((c) => views.has(c.inquiry_id) && views.get(c.inquiry_id).status !== c.status);
  const otherUnit = cases.filter((c) => views.has(c.inquiry_id) && (views.get(c.inquiry_id).unit_id ?? null) !== (c.unit_id ?? null));
  const replyMissing = cases.filter((c) => c.status === 'replied' && views.has(c.inquiry_id) && !views.get(c.inquiry_id).has_reply);
  row('router cases / app case views', `${cases.length} / ${views.size}`, views.size === cases.length);
  row('cases with no view (the citizen sees nothing)', noView.length, noView.length === 0, noView.slice(0, 3).map((c) => c.inquiry_id).join(' '));
  const sample = (list) => list.slice(0, 2).map((c) => `${c.inquiry_id} ${c.status}≠${views.get(c.inquiry_id).status}`).join('; ');
  row("views in another status than the router's", otherStatus.length, otherStatus.length === 0, sample(otherStatus));
  row('views with another unit', otherUnit.length, otherUnit.length === 0);
  row('replied cases whose view has no answer', replyMissing.length, replyMissing.length === 0);

  const onTopic = new Map();
  for (const { value: e } of o.events) if (TIMELINE_TYPES.includes(e.type)) onTopic.set(e.id, e);
  const timeline = await query(o.databaseUrl, `SELECT event_id, inquiry_id, type FROM ingest_app.case_timeline WHERE type = ANY($1)`, [TIMELINE_TYPES]);
  const shown = new Set(timeline.map((t) => t.event_id));
  const notShown = [...onTopic.keys()].filter((id) => !shown.has(id));
  const unknown = timeline.filter((t) => !onTopic.has(t.event_id));
  const byType = TIMELINE_TYPES.map((t) => `${t} ${timeline.filter((x) => x.type === t).length}`).join(', ');
  row('timeline entries (received, assigned, answered)', timeline.length, true, byType);
  row('events missing from the timeline', notShown.length, notShown.length === 0, notShown.slice(0, 2).join(' '));
  row('timeline entries of no event on the topic', unknown.length, unknown.length === 0);
  return { rows, failures };
}
