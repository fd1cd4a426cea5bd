// The units' replies and the messages to citizens, checked after the faults (see unit-replies.mjs): every reply the
// router took is one final reply and one ReplyPosted event; it plans the answer, the satisfaction call-back and its
// reminder for the citizen once each; and what reached the WeChat and Weibo stand-ins is each of those messages at
// most once (apps/notifier/README.md "Never twice": a message whose sender died mid-call is `uncertain`, never
// re-sent) and, when recorded as sent, exactly once.

import { checkList, query } from './verify.mjs';

const CITIZEN_PURPOSES = ['reply', 'survey', 'survey_reminder'];

const templateKey = (touser, entries) => `wechat-template|${touser}|${entries.map(([k, v]) => `${k}=${v}`).join('|')}`;

/** The keys a delivery's message has at the stand-in: of the mode it was sent in, or of either when not recorded. */
function expectedKeys(d) {
  const m = d.message;
  const [first, second, firstMode] =
    d.channel === 'wechat'
      ? [`wechat|${m.openId}|${m.text}`, templateKey(m.openId, Object.entries(m.template ?? {})), 'custom']
      : [`weibo|${m.uid}|${m.text}`, m.thread ? `weibo-comment|${m.commentText}` : undefined, 'message'];
  if (!d.mode || !second) return [first, second].filter(Boolean);
  return [d.mode === firstMode ? first : second];
}

/** What the stand-ins received, counted by key. */
function receivedByKey(vendors) {
  const counts = new Map();
  const add = (k) => counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const m of vendors.wechat.custom) add(`wechat|${m.touser}|${m.text?.content}`);
  for (const m of vendors.wechat.templates) add(templateKey(m.touser, Object.entries(m.data).map(([k, v]) => [k, v.value])));
  for (const m of vendors.weibo.replies) add(`weibo|${m.receiverId}|${m.text}`);
  for (const m of vendors.weibo.comments) add(`weibo-comment|${m.comment}`);
  return counts;
}

/**
 * @param {{ databaseUrl: string, replier: import('./unit-replies.mjs').UnitReplier, vendors: object,
 *           events: { value: object }[], quietAt?: number }} o
 */
export async function verifyCitizenDeliveries(o) {
  const { rows, failures, row } = checkList();
  const s = o.replier.stats;
  const replied = o.replier.replied();
  const notTaken = [...o.replier.outcome].filter(([, v]) => v !== 'answered' && v !== 'lost-answer');
  row('unit replies (WeChat/Weibo cases): POSTs / retries', `${s.posts} / ${s.retries}`);
  row('unit replies answered 200 / found answered after a lost answer', `${s.answered} / ${s.lostAnswer}`, replied.length > 0, 'the router took them');
  row('unit replies not taken after retries', notTaken.length, true, `allowed: the unit was shown an error${notTaken.length ? `; e.g. ${notTaken[0][1].slice(0, 60)}` : ''}`);

  const finals = await query(o.databaseUrl, `SELECT inquiry_id, count(*)::int AS n FROM router.case_replies WHERE final GROUP BY inquiry_id`);
  const finalOf = new Map(finals.map((r) => [r.inquiry_id, r.n]));
  const noReply = replied.filter((id) => !finalOf.has(id)).length;
  const twoReplies = replied.filter((id) => (finalOf.get(id) ?? 0) > 1).length;
  row('replies taken but not stored (LOST)', noReply, noReply === 0);
  row('cases with two final replies', twoReplies, twoReplies === 0);

  const postedIds = new Map();
  for (const { value: e } of o.events) {
    if (e.type !== 'ReplyPosted') continue;
    const ids = postedIds.get(e.payload.inquiryId) ?? new Set();
    postedIds.set(e.payload.inquiryId, ids.add(e.id));
  }
  const noEvent = replied.filter((id) => !postedIds.has(id)).length;
  const twoEvents = replied.filter((id) => (postedIds.get(id)?.size ?? 0) > 1).length;
  row('replies taken with no ReplyPosted event', noEvent, noEvent === 0);
  row('replies with two ReplyPosted events (two event ids)', twoEvents, twoEvents === 0);

  const deliveries = await query(
    o.databaseUrl,
    `SELECT message_id, inquiry_id, channel, purpose, status, mode, message, last_error, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
       FROM notifier.deliveries WHERE channel IN ('wechat', 'weibo')`,
  );
  const planned = new Map();
  for (const d of deliveries.filter((x) => CITIZEN_PURPOSES.includes(x.purpose))) planned.set(`${d.inquiry_id}|${d.purpose}`, (planned.get(`${d.inquiry_id}|${d.purpose}`) ?? 0) + 1);
  const missing = replied.flatMap((id) => CITIZEN_PURPOSES.filter((p) => !planned.has(`${id}|${p}`)).map((p) => `${id}:${p}`));
  const doubled = [...planned].filter(([, n]) => n > 1).length;
  const ofReplies = [...planned.values()].reduce((a, b) => a + b, 0);
  row('citizen messages planned: of replies (answer, call-back, reminder) / all', `${ofReplies} / ${deliveries.length}`, true, `${replied.length} replies × 3 expected`);
  row('replies missing a planned citizen message', missing.length, missing.length === 0, missing.slice(0, 2).join(' '));
  row('citizen messages planned twice', doubled, doubled === 0);

  const byStatus = (st) => deliveries.filter((d) => d.status === st);
  const late = (d) => o.quietAt && d.created_ms > o.quietAt;
  const open = deliveries.filter((d) => ['pending', 'sending'].includes(d.status) && !late(d));
  row('citizen messages sent / uncertain / dead / still open', `${byStatus('sent').length} / ${byStatus('uncertain').length} / ${byStatus('dead').length} / ${open.length}`);
  row('citizen messages dead', byStatus('dead').length, byStatus('dead').length === 0, byStatus('dead').slice(0, 2).map((d) => d.last_error).join('; '));
  row('citizen messages still pending or sending', open.length, open.length === 0);

  // Matched as multisets per key: a citizen's call-back and reminder sent as WeChat templates are the same message.
  const received = receivedByKey(o.vendors);
  const byKey = new Map();
  for (const d of deliveries) {
    const keys = expectedKeys(d);
    for (const k of keys) {
      const g = byKey.get(k) ?? { sent: 0, maybe: 0 };
      if (d.status === 'sent' && keys.length === 1) g.sent++;
      else if (d.status === 'sent' || d.status === 'uncertain') g.maybe++;
      byKey.set(k, g);
    }
  }
  let once = 0;
  let lost = 0;
  let twice = 0;
  let uncertainReceived = 0;
  for (const [k, g] of byKey) {
    const n = received.get(k) ?? 0;
    once += Math.min(n, g.sent);
    lost += Math.max(0, g.sent - n);
    twice += Math.max(0, n - g.sent - g.maybe);
    uncertainReceived += Math.min(Math.max(0, n - g.sent), g.maybe);
  }
  const strays = [...received].filter(([k]) => !byKey.has(k)).reduce((sum, [, n]) => sum + n, 0);
  const total = [...received.values()].reduce((a, b) => a + b, 0);
  row('messages received at the WeChat/Weibo stand-ins', total);
  row('sent citizen messages received exactly once', once);
  row('sent citizen messages never received (LOST)', lost, lost === 0);
  row('citizen messages received more than once (extra copies)', twice, twice === 0, 'never twice for citizens');
  row('uncertain messages that did reach the citizen', `${uncertainReceived} of ${byStatus('uncertain').length}`, true, 'a sender killed mid-call: reported, not re-sent');
  row('stand-in messages matching no delivery', strays, strays === 0);
  return { rows, failures };
}
