import { TOPICS } from '@app/common';
import { waitFor } from '../support/helpers.js';
import { CaseDriver, GOOD_REPLY } from './lifecycle-support.js';
import { startRouter, type RouterHarness } from './router-support.js';
import { ClockScanner } from '../../apps/router/src/lifecycle/clock.scanner.js';

describe('router: the case lifecycle after assignment', () => {
  let h: RouterHarness;
  let d: CaseDriver;
  let housing: string;
  let transport: string;
  let police: string;

  beforeAll(async () => {
    h = await startRouter({ ROUTER_CLOCK_SCAN_MS: '60000', ROUTER_REOPEN_POLICY: 'always' });
    d = new CaseDriver(h);
    [housing, transport, police] = await Promise.all([d.unitId('市住建局'), d.unitId('市交通运输局'), d.unitId('市交警支队')]);
  });
  afterAll(async () => h?.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ev = async (id: string, type: string) => (await h.waitForEvent(id, type)) as { payload: Record<string, any> };
  const types = (id: string) => h.eventsOf(id).map((e) => e.type);

  it('accept → reply → 满意 closes the case; each step is an event with on-time and an audit row', async () => {
    const id = await d.assigned(housing);
    const accepted = await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', d.agent(housing)).expect(200);
    expect(accepted.body).toEqual({ status: 'accepted', onTime: true });
    const again = await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', d.agent(housing)).expect(409);
    expect(again.body.error).toBe('illegal_transition');

    const reply = await d.http.post(`/agency/cases/${id}/reply`).set('Authorization', d.agent(housing)).send({ text: GOOD_REPLY }).expect(200);
    expect(reply.body).toEqual({ status: 'replied', onTime: true, flagged: false, flags: [] });
    expect((await ev(id, 'Accepted')).payload).toMatchObject({ unitId: housing, onTime: true, actor: `agent-of-${housing}` });
    expect((await ev(id, 'ReplyPosted')).payload).toMatchObject({ unitId: housing, text: GOOD_REPLY, onTime: true });

    await d.rate(id, '满意');
    expect((await ev(id, 'Closed')).payload).toMatchObject({ outcome: '满意' });
    expect(types(id).slice(-4)).toEqual(['Accepted', 'ReplyPosted', 'FeedbackRecorded', 'Closed']);
    expect((await d.auditActions(id)).map((a) => a.action)).toEqual(['queued_for_desk', 'assigned', 'accepted', 'replied', 'rated', 'closed']);
    const [row] = await d.db.query(`SELECT accepted_on_time, replied_on_time, reply_working_hours, rating FROM router.cases WHERE inquiry_id = $1`, [id]);
    expect(row).toMatchObject({ accepted_on_time: true, replied_on_time: true, rating: '满意' });
    expect(row.reply_working_hours).toBeGreaterThanOrEqual(0);
    await d.http.post(`/agency/cases/${id}/reply`).set('Authorization', d.agent(housing)).send({ text: GOOD_REPLY }).expect(409);
  });

  it('applies a redelivered rating once (router.interactions is idempotent)', async () => {
    const id = await d.replied(housing);
    const envelope = h.producer['build'](TOPICS.inquiryInteraction, 'RatingGiven', {
      inquiryId: id,
      citizen: { channel: 'app', externalUserId: 'c' },
      at: new Date().toISOString(),
      rating: '基本满意',
    });
    await h.producer.publishEnvelopes(TOPICS.inquiryInteraction, [envelope, envelope]);
    await h.waitForEvent(id, 'Closed');
    await new Promise((r) => setTimeout(r, 1500));
    expect(types(id).filter((t) => t === 'FeedbackRecorded')).toHaveLength(1);
    const [p] = await d.db.query(`SELECT count(*)::int AS n FROM router.processed_messages WHERE message_id = $1`, [envelope.id]);
    expect(p.n).toBe(1);
  });

  it('不满意 reopens the case (policy always) with a fresh reply clock, and the unit answers again', async () => {
    const id = await d.replied(housing);
    await d.rate(id, '不满意', '路灯还是不亮');
    expect((await ev(id, 'Reopened')).payload.reason).toContain('路灯还是不亮');
    expect(await d.status(id)).toBe('reopened');
    const [clock] = await d.db.query(`SELECT met_at, due_at FROM router.deadlines WHERE inquiry_id = $1 AND clock = 'reply'`, [id]);
    expect(clock.met_at).toBeNull();
    expect(new Date(clock.due_at).getTime()).toBeGreaterThan(Date.now());
    await d.http.post(`/agency/cases/${id}/reply`).set('Authorization', d.agent(housing)).send({ text: GOOD_REPLY + '已再次维修。' }).expect(200);
    await waitFor(() => types(id).filter((t) => t === 'ReplyPosted').length === 2, 'a second ReplyPosted');
    const [row] = await d.db.query(`SELECT reopen_count, status FROM router.cases WHERE inquiry_id = $1`, [id]);
    expect(row).toEqual({ reopen_count: 1, status: 'replied' });
  });

  it('a return is decided by the desk: sent back (clocks resume), then reassigned (the old unit loses the case)', async () => {
    const id = await d.assigned(housing);
    await d.http.post(`/agency/cases/${id}/return`).set('Authorization', d.agent(housing)).send({ reason: '属于交通问题' }).expect(200);
    expect((await ev(id, 'Returned')).payload).toMatchObject({ reason: '属于交通问题', unitId: housing });
    const [desk] = await d.db.query(`SELECT met_at, due_at FROM router.deadlines WHERE inquiry_id = $1 AND clock = 'desk'`, [id]);
    expect(desk.met_at).toBeNull(); // the desk's clock runs again while it decides
    await d.http.post(`/agency/cases/${id}/return`).set('Authorization', d.agent(housing)).send({ reason: '再退' }).expect(409);
    const pending = await d.http.get('/desk/decisions').set('Authorization', d.desk()).expect(200);
    expect(pending.body.returned.map((c: { inquiryId: string }) => c.inquiryId)).toContain(id);

    await d.http.post(`/desk/cases/${id}/return-decision`).set('Authorization', d.desk()).send({ decision: 'send_back', reason: '确属住建职责' }).expect(204);
    expect(await d.status(id)).toBe('assigned');
    await waitFor(() => types(id).filter((t) => t === 'Assigned').length === 2, 'Assigned again (sent back)');
    const [met] = await d.db.query(`SELECT met_at FROM router.deadlines WHERE inquiry_id = $1 AND clock = 'desk'`, [id]);
    expect(met.met_at).not.toBeNull();

    await d.http.post(`/agency/cases/${id}/return`).set('Authorization', d.agent(housing)).send({ reason: '确实不是我们的' }).expect(200);
    await d.http
      .post(`/desk/cases/${id}/return-decision`)
      .set('Authorization', d.desk())
      .send({ decision: 'reassign', unitId: transport, reason: '改交通' })
      .expect(204);
    await waitFor(() => h.eventsOf(id).find((e) => e.type === 'Assigned' && e.payload.unitId === transport), 'reassigned');
    await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', d.agent(housing)).expect(404);
    await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', d.agent(transport)).expect(200);
    const actions = (await d.auditActions(id)).map((a) => a.action);
    expect(actions).toEqual(['queued_for_desk', 'assigned', 'returned', 'sent_back', 'returned', 'assigned', 'accepted']);
  });

  it('an extension is requested with a reason and granted (a later deadline) or refused by the desk', async () => {
    const id = await d.assigned(housing);
    await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', d.agent(housing)).expect(200);
    const [before] = await d.db.query(`SELECT due_at FROM router.deadlines WHERE inquiry_id = $1 AND clock = 'reply'`, [id]);
    await d.http.post(`/agency/cases/${id}/extension`).set('Authorization', d.agent(housing)).send({ workingDays: 3, reason: '需要现场勘查' }).expect(200);
    expect((await ev(id, 'ExtensionRequested')).payload).toMatchObject({ workingDays: 3, reason: '需要现场勘查' });
    await d.http.post(`/agency/cases/${id}/extension`).set('Authorization', d.agent(housing)).send({ workingDays: 3, reason: '再要' }).expect(409);
    const granted = await d.http.post(`/desk/cases/${id}/extension-decision`).set('Authorization', d.desk()).send({ grant: true, reason: '同意' }).expect(200);
    const after = new Date(granted.body.replyDeadline);
    expect(after.getTime()).toBeGreaterThan(new Date(before.due_at).getTime() + 2 * 24 * 3600_000);
    expect((await ev(id, 'ExtensionGranted')).payload.replyDeadline).toBe(after.toISOString());
    expect(await d.status(id)).toBe('accepted');

    await d.http.post(`/agency/cases/${id}/extension`).set('Authorization', d.agent(housing)).send({ workingDays: 2, reason: '还需时间' }).expect(200);
    await d.http.post(`/desk/cases/${id}/extension-decision`).set('Authorization', d.desk()).send({ grant: false, reason: '期限已足够' }).expect(200);
    expect((await ev(id, 'ExtensionRefused')).payload.reason).toBe('期限已足够');
    const [now] = await d.db.query(`SELECT due_at FROM router.deadlines WHERE inquiry_id = $1 AND clock = 'reply'`, [id]);
    expect(new Date(now.due_at).toISOString()).toBe(after.toISOString());
  });

  it('co-handling units answer their part; only the lead unit accepts, returns and gives the final reply', async () => {
    const id = await d.assigned(housing, [police]);
    // The notifier tells each co-handling unit from this: its name and contacts travel with the assignment.
    const assignedEvent = (await ev(id, 'Assigned')).payload as { coUnitIds: string[]; coUnits?: { unitId: string; unitName: string; unitContacts?: { prefer: string } }[] };
    expect(assignedEvent.coUnitIds).toEqual([police]);
    expect(assignedEvent.coUnits).toEqual([expect.objectContaining({ unitId: police, unitName: '市交警支队', unitContacts: expect.objectContaining({ prefer: expect.any(String) }) })]);
    await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', d.agent(police)).expect(403);
    const part = await d.http.post(`/agency/cases/${id}/reply`).set('Authorization', d.agent(police)).send({ text: '交警支队：已在该路段加装违停抓拍设备，并安排警力每日巡查两次。' }).expect(200);
    expect(part.body.status).toBe('assigned');
    expect((await ev(id, 'PartReplied')).payload).toMatchObject({ unitId: police, unitName: '市交警支队' });
    expect(types(id)).not.toContain('ReplyPosted');
    const detail = await d.http.get(`/agency/cases/${id}`).set('Authorization', d.agent(housing)).expect(200);
    expect(detail.body.replies).toHaveLength(1);
    expect(detail.body.role).toBe('lead');
    await d.http.post(`/agency/cases/${id}/reply`).set('Authorization', d.agent(housing)).send({ text: GOOD_REPLY }).expect(200);
    await h.waitForEvent(id, 'ReplyPosted');
    expect(await d.status(id)).toBe('replied');
  });

  it('flags a brush-off reply for the desk; the desk rejects it and the case goes back to the unit', async () => {
    const id = await d.assigned(housing);
    const res = await d.http.post(`/agency/cases/${id}/reply`).set('Authorization', d.agent(housing)).send({ text: '已收悉，将转交相关部门' }).expect(200);
    expect(res.body.flagged).toBe(true);
    expect(res.body.flags).toEqual(expect.arrayContaining(['too_short', 'formula_only']));
    expect((await ev(id, 'ReplyFlagged')).payload.flags).toContain('formula_only');
    const pending = await d.http.get('/desk/decisions').set('Authorization', d.desk()).expect(200);
    expect(pending.body.flaggedReplies.map((r: { inquiryId: string }) => r.inquiryId)).toContain(id);
    await d.http.post(`/desk/cases/${id}/flag-review`).set('Authorization', d.desk()).send({ accept: false, reason: '未答复实质问题' }).expect(204);
    expect((await ev(id, 'Reopened')).payload.reason).toContain('未答复实质问题');
    await d.http.post(`/desk/cases/${id}/flag-review`).set('Authorization', d.desk()).send({ accept: true, reason: 'x' }).expect(409);
  });

  it('keeps internal notes out of the public events and closes unrated replies automatically (未评价)', async () => {
    const id = await d.replied(housing);
    const note = await d.http.post(`/agency/cases/${id}/notes`).set('Authorization', d.agent(housing)).send({ text: '内部：已电话联系物业' }).expect(201);
    const added = await h.waitForEvent(id, 'NoteAdded');
    expect(added.payload).toEqual(expect.objectContaining({ noteId: String(note.body.id) }));
    expect(JSON.stringify(added.payload)).not.toContain('物业');

    await d.db.query(`UPDATE router.deadlines SET due_at = now() - interval '1 minute' WHERE inquiry_id = $1 AND clock = 'close'`, [id]);
    const result = await h.app.get(ClockScanner).scan();
    expect(result.closed).toBeGreaterThanOrEqual(1);
    expect((await ev(id, 'Closed')).payload).toMatchObject({ outcome: '未评价', actor: 'system' });
    await d.rate(id, '满意'); // too late: recorded in the audit only
    await waitFor(async () => (await d.auditActions(id)).some((a) => a.action === 'rating_ignored'), 'the late rating audited');
    expect(await d.status(id)).toBe('closed');
  });

  it('a citizen withdrawal closes an open case (撤回) and stops its clocks; more information is audited', async () => {
    const id = await d.assigned(housing);
    const citizen = { channel: 'app' as const, externalUserId: 'c' };
    await h.producer.publish(TOPICS.inquiryInteraction, 'InformationAdded', { inquiryId: id, citizen, at: new Date().toISOString(), text: '补充：在3号楼前', attachments: [] });
    await h.producer.publish(TOPICS.inquiryInteraction, 'Withdrawn', { inquiryId: id, citizen, at: new Date().toISOString(), reason: '已自行解决' });
    expect((await ev(id, 'Closed')).payload).toMatchObject({ outcome: '撤回', actor: 'citizen' });
    expect((await d.auditActions(id)).map((a) => a.action)).toEqual(expect.arrayContaining(['information_added', 'closed']));
    const open = await d.db.query(`SELECT count(*)::int AS n FROM router.deadlines WHERE inquiry_id = $1 AND met_at IS NULL AND NOT cancelled`, [id]);
    expect(open[0].n).toBe(0);
    await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', d.agent(housing)).expect(409);
  });

  it('lists a unit\u2019s overdue cases through the agency API', async () => {
    const id = await d.assigned(transport);
    await d.db.query(`UPDATE router.deadlines SET due_at = now() - interval '1 hour' WHERE inquiry_id = $1 AND clock = 'accept'`, [id]);
    const res = await d.http.get('/agency/cases?clock=overdue&pageSize=100').set('Authorization', d.agent(transport)).expect(200);
    const found = res.body.items.find((c: { inquiryId: string }) => c.inquiryId === id);
    expect(found).toMatchObject({ overdue: true, status: 'assigned' });
    const soon = await d.http.get('/agency/cases?clock=due_soon&pageSize=100').set('Authorization', d.agent(transport)).expect(200);
    expect(soon.body.items.map((c: { inquiryId: string }) => c.inquiryId)).not.toContain(id);
  });
});
