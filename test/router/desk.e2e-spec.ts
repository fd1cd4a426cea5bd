import { TOPICS, type InquirySubmitted } from '@app/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { newInquiry } from '../support/builders.js';
import { waitFor } from '../support/helpers.js';
import { startRouter, type RouterHarness } from './router-support.js';

describe('router: the editorial desk', () => {
  let h: RouterHarness;
  let db: DataSource;
  let http: ReturnType<typeof request>;
  const op1 = () => `Bearer ${h.token('desk', 'operator-1')}`;
  const op2 = () => `Bearer ${h.token('desk', 'operator-2')}`;

  beforeAll(async () => {
    h = await startRouter({ ROUTER_CLOCK_SCAN_MS: '300' });
    db = h.app.get(DataSource);
    http = request(h.app.getHttpServer());
  });
  afterAll(async () => h?.close());

  async function queued(overrides: Partial<InquirySubmitted> = {}): Promise<string> {
    const inquiry = newInquiry({ title: '反映问题', content: '这个事情拖了很久了，希望领导重视一下，尽快解决。', ...overrides });
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    await h.waitForEvent(inquiry.inquiryId, 'QueuedForDesk');
    return inquiry.inquiryId;
  }

  const unitId = async (shortName: string): Promise<string> =>
    (await db.query(`SELECT id FROM router.units WHERE short_name = $1`, [shortName]))[0].id;

  it('refuses callers without a valid token or with the wrong role', async () => {
    await http.get('/desk/queue').expect(401);
    await http.get('/desk/queue').set('Authorization', 'Bearer not-a-token').expect(401);
    await http.get('/desk/queue').set('Authorization', `Bearer ${h.token('unit', 'agent-1', 'U001')}`).expect(403);
  });

  it('lists the queue oldest first with the time left on the 2-hour clock', async () => {
    const older = await queued({ receivedAt: new Date(Date.now() - 30 * 60_000).toISOString() });
    const newer = await queued();
    const res = await http.get('/desk/queue').set('Authorization', op1()).expect(200);
    const ids: string[] = res.body.map((e: { inquiryId: string }) => e.inquiryId);
    expect(ids.indexOf(older)).toBeLessThan(ids.indexOf(newer));
    const entry = res.body.find((e: { inquiryId: string }) => e.inquiryId === older);
    expect(entry.msLeft).toBeGreaterThan(85 * 60_000);
    expect(entry.msLeft).toBeLessThanOrEqual(90 * 60_000);
    expect(entry.overdue).toBe(false);
  });

  it('claims a case so a second operator cannot decide it, then assigns it with an audit row and a labelled example', async () => {
    const id = await queued();
    await http.post(`/desk/cases/${id}/claim`).set('Authorization', op1()).expect(204);
    await h.waitForEvent(id, 'Claimed');
    const target = await unitId('市住建局');
    await http
      .post(`/desk/cases/${id}/assign`)
      .set('Authorization', op2())
      .send({ unitId: target, reason: '属于住房问题' })
      .expect(409);
    await http.post(`/desk/cases/${id}/assign`).set('Authorization', op1()).send({ unitId: target }).expect(400);
    await http
      .post(`/desk/cases/${id}/assign`)
      .set('Authorization', op1())
      .send({ unitId: target, reason: '属于住房问题' })
      .expect(204);

    const assigned = await h.waitForEvent(id, 'Assigned');
    expect(assigned.payload).toMatchObject({ actor: 'operator-1', unitId: target, unitName: '市住建局' });
    const audit = await db.query(`SELECT action, actor, reason FROM router.case_audit WHERE inquiry_id = $1 ORDER BY id`, [id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['queued_for_desk', 'claimed', 'assigned']);
    expect(audit[2]).toMatchObject({ actor: 'operator-1', reason: '分派：属于住房问题' });
    const examples = await db.query(`SELECT label, unit_id, actor FROM router.labelled_examples WHERE inquiry_id = $1`, [id]);
    expect(examples).toEqual([{ label: '市住建局', unit_id: target, actor: 'operator-1' }]);
  });

  it('lets another operator take a case whose claim has lapsed (15 minutes)', async () => {
    const id = await queued();
    await http.post(`/desk/cases/${id}/claim`).set('Authorization', op1()).expect(204);
    await db.query(`UPDATE router.cases SET claimed_at = now() - interval '16 minutes' WHERE inquiry_id = $1`, [id]);
    await http.post(`/desk/cases/${id}/claim`).set('Authorization', op2()).expect(204);
    const [row] = await db.query(`SELECT claimed_by FROM router.cases WHERE inquiry_id = $1`, [id]);
    expect(row.claimed_by).toBe('operator-2');
  });

  it('takes the same assignment twice as one (a double click, a retry after a lost answer): one notice, the clocks kept', async () => {
    const id = await queued();
    const target = await unitId('市民政局');
    const assign = (coUnitIds: string[] = []) =>
      http.post(`/desk/cases/${id}/assign`).set('Authorization', op1()).send({ unitId: target, coUnitIds, reason: '低保问题' });
    await assign().expect(204);
    await h.waitForEvent(id, 'Assigned');
    const clocks = `SELECT clock, due_at FROM router.deadlines WHERE inquiry_id = $1 AND clock IN ('accept', 'reply') ORDER BY clock`;
    const before = await db.query(clocks, [id]);
    await assign().expect(204);
    await new Promise((r) => setTimeout(r, 700));
    expect(h.eventsOf(id).filter((e) => e.type === 'Assigned')).toHaveLength(1);
    expect(await db.query(clocks, [id])).toEqual(before);
    const audit = await db.query(`SELECT action FROM router.case_audit WHERE inquiry_id = $1 AND action IN ('assigned', 'reassign', 'reassigned')`, [id]);
    expect(audit).toHaveLength(1);

    // Another co-handling unit is a different decision: it is taken.
    const coUnits = [await unitId('市住建局')];
    await assign(coUnits).expect(204);
    await waitFor(() => h.eventsOf(id).filter((e) => e.type === 'Assigned').length === 2, 'the changed assignment');

    // Once the unit has accepted, the same request again is still no error and no new assignment.
    await http.post(`/agency/cases/${id}/accept`).set('Authorization', `Bearer ${h.token('unit', 'agent-1', target)}`).expect(200);
    await assign(coUnits).expect(204);
    await assign([]).expect(409); // a different one is a reassignment, which an accepted case no longer takes
    await new Promise((r) => setTimeout(r, 700));
    expect(h.eventsOf(id).filter((e) => e.type === 'Assigned')).toHaveLength(2);
  });

  it('reassigns an assigned case, and refuses a retired unit', async () => {
    const id = await queued();
    await http.post(`/desk/cases/${id}/assign`).set('Authorization', op1()).send({ unitId: await unitId('市交通运输局'), reason: '先派交通' }).expect(204);
    await http.post(`/desk/cases/${id}/assign`).set('Authorization', op2()).send({ unitId: await unitId('市交警支队'), reason: '信号灯归交警' }).expect(204);
    await waitFor(() => h.eventsOf(id).filter((e) => e.type === 'Assigned').length === 2, 'two Assigned events');
    const [row] = await db.query(`SELECT unit_name, status FROM router.cases WHERE inquiry_id = $1`, [id]);
    expect(row).toEqual({ unit_name: '市交警支队', status: 'assigned' });
    const trail = await http.get(`/desk/cases/${id}/audit`).set('Authorization', op1()).expect(200);
    expect(trail.body.map((a: { reason: string }) => a.reason)).toContain('改派：信号灯归交警');

    const created = await http
      .post('/admin/units')
      .set('Authorization', `Bearer ${h.token('admin', 'admin-1')}`)
      .send({ name: '临时测试单位', shortName: `测试单位${Date.now()}`, kind: 'agency', area: 'city', reason: '测试' })
      .expect(201);
    await http.post(`/admin/units/${created.body.id}/retire`).set('Authorization', `Bearer ${h.token('admin', 'admin-1')}`).send({ reason: '撤销' }).expect(200);
    const other = await queued();
    await http.post(`/desk/cases/${other}/assign`).set('Authorization', op1()).send({ unitId: created.body.id, reason: 'x' }).expect(422);
  });

  it('merges a case into another, rejects one with a reason the citizen sees, and asks a citizen for more', async () => {
    const into = await queued();
    const dup = await queued();
    await http.post(`/desk/cases/${dup}/merge`).set('Authorization', op1()).send({ intoInquiryId: into, reason: '同一问题' }).expect(204);
    expect((await h.waitForEvent(dup, 'Merged')).payload).toMatchObject({ intoInquiryId: into, actor: 'operator-1' });
    await http.post(`/desk/cases/${dup}/reject`).set('Authorization', op1()).send({ category: 'spam', reason: 'x' }).expect(409);

    const spam = await queued({ content: '加微信领红包，日赚三百，联系我。' });
    await http
      .post(`/desk/cases/${spam}/reject`)
      .set('Authorization', op1())
      .send({ category: 'spam', reason: '您的留言为广告信息，不属于政务诉求。' })
      .expect(204);
    expect((await h.waitForEvent(spam, 'Rejected')).payload).toMatchObject({ reason: '您的留言为广告信息，不属于政务诉求。' });
    const [ex] = await db.query(`SELECT label FROM router.labelled_examples WHERE inquiry_id = $1`, [spam]);
    expect(ex.label).toBe('rejected:spam');

    const vague = await queued();
    await http.post(`/desk/cases/${vague}/request-info`).set('Authorization', op1()).send({ question: '请说明具体地点。' }).expect(204);
    expect((await h.waitForEvent(vague, 'InfoRequested')).payload).toMatchObject({ question: '请说明具体地点。' });
    const message = await waitFor(
      () => h.outbound.values<{ payload: { inquiryId?: string; purpose: string; text: string } }>().find((m) => m.payload.inquiryId === vague),
      'the info request on channel.outbound.v1',
    );
    expect(message.payload.purpose).toBe('info_request');
    expect(message.payload.text).toContain('请说明具体地点。');
    const [row] = await db.query(`SELECT status FROM router.cases WHERE inquiry_id = $1`, [vague]);
    expect(row.status).toBe('queued_for_desk');

    // The same question again (a double click, a retry after a lost answer) is asked once; another one is asked.
    await http.post(`/desk/cases/${vague}/request-info`).set('Authorization', op1()).send({ question: '请说明具体地点。' }).expect(204);
    await http.post(`/desk/cases/${vague}/request-info`).set('Authorization', op1()).send({ question: '请提供现场照片。' }).expect(204);
    const toCitizen = () => h.outbound.values<{ payload: { inquiryId?: string; text: string } }>().filter((m) => m.payload.inquiryId === vague);
    await waitFor(() => toCitizen().some((m) => m.payload.text.includes('请提供现场照片。')), 'the second question');
    expect(toCitizen().filter((m) => m.payload.text.includes('请说明具体地点。'))).toHaveLength(1);
    expect(h.eventsOf(vague).filter((e) => e.type === 'InfoRequested')).toHaveLength(2);
  });

  it('announces the 2-hour desk clock: a warning before the deadline, a breach after it, once each', async () => {
    const late = await queued({ receivedAt: new Date(Date.now() - 3 * 3600_000).toISOString() });
    const close = await queued({ receivedAt: new Date(Date.now() - 100 * 60_000).toISOString() });
    const breached = await h.waitForEvent(late, 'SlaBreached');
    expect(breached.payload).toMatchObject({ clock: 'desk' });
    expect((await h.waitForEvent(close, 'SlaWarning')).payload).toMatchObject({ clock: 'desk' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.eventsOf(late).filter((e) => e.type.startsWith('Sla')).map((e) => e.type)).toEqual(['SlaBreached']);
    expect(h.eventsOf(close).filter((e) => e.type.startsWith('Sla')).map((e) => e.type)).toEqual(['SlaWarning']);
    const queue = await http.get('/desk/queue').set('Authorization', op1()).expect(200);
    expect(queue.body.find((e: { inquiryId: string }) => e.inquiryId === late).overdue).toBe(true);
  });

  it('answers 404 for an unknown case', async () => {
    await http.post('/desk/cases/NO-SUCH-CASE/claim').set('Authorization', op1()).expect(404);
  });

  it('streams queue changes to a live feed (server-sent events)', async () => {
    const server = h.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/desk/feed`, {
      headers: { Authorization: op1() },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    // The feed's consumer group starts at the latest offset: publish until an event arrives after it joined.
    const id = await queued();
    const deadline = Date.now() + 30000;
    let latest = id;
    while (!text.includes('QueuedForDesk') && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ value?: undefined }>((r) => setTimeout(() => r({}), 2000)),
      ]);
      if (chunk.value) text += new TextDecoder().decode(chunk.value);
      else latest = await queued();
    }
    controller.abort();
    expect(text).toContain('event: QueuedForDesk');
    expect(text).toMatch(new RegExp(`(${id}|${latest})`));
  });
});
