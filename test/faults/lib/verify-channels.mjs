// The exactly-once checks of the WeChat and Weibo conversations: every citizen whose 提交 was answered with a
// tracking number has exactly one submitted draft in the channel app (holding the long text once) and exactly
// one routed case at the router (cases keep the citizen as citizen_channel + citizen_ref, the OpenID or uid).

import { checkList, query } from './verify.mjs';

const LABEL = { wechat: 'WeChat', weibo: 'Weibo' };
const SUBMITTED = ['submitted', 'sent'];

/** The channel apps' schemas (for the quiescence check's outboxes). */
export const CHANNEL_SCHEMAS = ['ingest_wechat', 'ingest_weibo'];

/** The drafts of the acknowledged citizens of a channel, by citizen: id, status, tracking number, text items. */
async function draftsOf(databaseUrl, channel, users) {
  const rows = await query(
    databaseUrl,
    `SELECT d.id, d.user_id, d.status, d.tracking_no,
            (SELECT count(*)::int FROM ingest_${channel}.conv_draft_items i WHERE i.draft_id = d.id AND i.kind = 'text') AS texts
       FROM ingest_${channel}.conv_drafts d WHERE d.channel = $1 AND d.user_id = ANY($2)`,
    [channel, users],
  );
  const byUser = new Map();
  for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
  return byUser;
}

/**
 * The inquiry ids of the acknowledged conversations (their submitted drafts' ids, which the inquiries carry), for
 * the quiescence check and the router/topic checks the app's inquiries go through as well.
 */
export async function channelInquiryIds(databaseUrl, citizens) {
  const ids = [];
  for (const channel of Object.keys(LABEL)) {
    const users = [...citizens.stats[channel].acked.values()].map((a) => a.user);
    for (const drafts of (await draftsOf(databaseUrl, channel, users)).values()) ids.push(...drafts.filter((d) => SUBMITTED.includes(d.status)).map((d) => d.id));
  }
  return ids;
}

/** Every draft id of the channel apps (inquiries that did not come through ingest-app). */
export async function channelDraftIds(databaseUrl) {
  const rows = await query(databaseUrl, `SELECT id FROM ingest_wechat.conv_drafts UNION ALL SELECT id FROM ingest_weibo.conv_drafts`);
  return rows.map((r) => r.id);
}

/**
 * Of the pushes whose answer was lost (connection broken, or no answer in 5 s), how many had been acted on before
 * they were re-sent: their key's row in <channel>_inbound is older than the re-send (received_at is the acting
 * transaction's start), so the re-send was answered from it.
 */
async function retriesThatFoundTheKey(databaseUrl, channel, lost) {
  const found = [];
  for (const l of lost) {
    const [row] =
      channel === 'wechat'
        ? await query(databaseUrl, `SELECT (extract(epoch FROM received_at) * 1000)::float8 AS at FROM ingest_wechat.wechat_inbound WHERE dedup_key = $1`, [l.msgId])
        : // Weibo's key is sender:created_at:type:<content hash>; the long text and 提交 differ by their answer.
          await query(
            databaseUrl,
            `SELECT (extract(epoch FROM received_at) * 1000)::float8 AS at FROM ingest_weibo.weibo_inbound
              WHERE starts_with(dedup_key, $1) AND (coalesce(reply, '') LIKE '%受理编号%') = $2`,
            [l.prefix, l.submit],
          );
    if (row && row.at < l.resentAt) found.push(l.msgId ?? `${l.prefix}…${l.submit ? ' (提交)' : ''}`);
  }
  return found;
}

/** Rows and failures, in the shape of verify(). */
export async function verifyChannels({ databaseUrl, citizens }) {
  const { rows, failures, row } = checkList();
  for (const channel of Object.keys(LABEL)) {
    const L = LABEL[channel];
    const s = citizens.stats[channel];
    const acked = [...s.acked.values()];
    const why = new Map();
    for (const e of s.failed.values()) {
      const k = e.slice(0, 50);
      why.set(k, (why.get(k) ?? 0) + 1);
    }
    const whyText = [...why].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([k, n]) => `${n}× ${k}`).join('; ');
    row(`${L} conversations / acknowledged (提交 answered with a number) / not`, `${s.conversations} / ${acked.length} / ${s.failed.size}`, true, whyText ? `not: gave up re-sending; ${whyText}` : '');
    row(`${L} pushes / HTTP attempts`, `${s.pushes} / ${s.attempts}`);
    row(
      `${L} re-sent unchanged after: refused / error answer / answer lost`,
      `${s.after.refused} / ${s.after.error} / ${s.after.lost}`,
      true,
      'lost: the connection broke mid-request or no answer in 5 s; the push may have been acted on, its retry must find the key',
    );
    const found = await retriesThatFoundTheKey(databaseUrl, channel, s.lostAnswers);
    row(`${L} answer lost, yet acted on before the re-send (the retry found its key)`, `${found.length} of ${s.lostAnswers.length}`, true, found.length ? `e.g. ${found[0]}` : '');
    row(`${L} pushes answered with an error`, s.errorAnswers, s.errorAnswers === 0, 'the vendor would not send them again; an unreachable database must leave a push unanswered instead');
    row(`${L} pushes the vendor would have given up on`, s.vendorGaveUp, true, 'an error answer, or none in 4 tries 5 s apart: the citizen is shown an error');
    row(`${L} 提交 answered without a number after the long text was`, s.noTracking.size, s.noTracking.size === 0, [...s.noTracking.values()].slice(0, 1).join(''));

    const users = acked.map((a) => a.user);
    const drafts = await draftsOf(databaseUrl, channel, users);
    const cases = await query(databaseUrl, `SELECT inquiry_id, citizen_ref, status, tracking_no FROM router.cases WHERE citizen_channel = $1 AND citizen_ref = ANY($2)`, [channel, users]);
    const casesOf = new Map();
    for (const c of cases) casesOf.set(c.citizen_ref, [...(casesOf.get(c.citizen_ref) ?? []), c]);

    const tally = { once: 0, twice: 0, none: 0, textTwice: 0, numberMismatch: 0, caseOnce: 0, caseTwice: 0, caseMissing: 0, unrouted: 0 };
    const examples = { none: [], twice: [], caseMissing: [], caseTwice: [] };
    for (const a of acked) {
      const submitted = (drafts.get(a.user) ?? []).filter((d) => SUBMITTED.includes(d.status));
      const kind = submitted.length === 1 ? 'once' : submitted.length === 0 ? 'none' : 'twice';
      tally[kind]++;
      examples[kind]?.push(a.user);
      if (submitted.some((d) => d.texts !== 1)) tally.textTwice++;
      const own = casesOf.get(a.user) ?? [];
      // Routed: past routing (the units' replies move assigned cases on to `replied`).
      const routed = own.filter((c) => !['received', 'classified'].includes(c.status));
      if (own.length === 0) {
        tally.caseMissing++;
        examples.caseMissing.push(a.user);
      } else if (own.length > 1) {
        tally.caseTwice++;
        examples.caseTwice.push(a.user);
      } else if (routed.length === 1) tally.caseOnce++;
      else tally.unrouted++;
      if (submitted.length === 1 && own.length === 1 && (submitted[0].tracking_no !== a.trackingNo || own[0].tracking_no !== a.trackingNo)) tally.numberMismatch++;
    }
    const eg = (list) => list.slice(0, 2).join(' ');
    row(
      `${L} acknowledged: draft submitted exactly once / twice / none`,
      `${tally.once} / ${tally.twice} / ${tally.none}`,
      tally.twice === 0 && tally.none === 0,
      eg([...examples.twice, ...examples.none]),
    );
    row(`${L} acknowledged: long text not in the draft exactly once`, tally.textTwice, tally.textTwice === 0, 'a re-sent push recorded twice');
    row(`${L} acknowledged: tracking number answered ≠ draft's or case's`, tally.numberMismatch, tally.numberMismatch === 0);
    row(
      `${L} acknowledged: one routed case / two / missing`,
      `${tally.caseOnce} / ${tally.caseTwice} / ${tally.caseMissing}`,
      tally.caseTwice === 0 && tally.caseMissing === 0 && tally.unrouted === 0,
      tally.unrouted ? `${tally.unrouted} not routed; ${eg([...examples.caseTwice, ...examples.caseMissing])}` : eg([...examples.caseTwice, ...examples.caseMissing]),
    );
  }
  // What the notifier sent these citizens: verify-citizen-deliveries.mjs.
  return { rows, failures };
}
