import { EventProducer, newId, TOPICS, type EventOf } from '@app/common';
import request from 'supertest';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { startIngestApp, type IngestAppHarness } from './support/ingest-app-harness.js';
import { phonePhoto } from './support/media-samples.js';

type Interaction = EventOf<typeof TOPICS.inquiryInteraction>;

describe('ingest-app accounts, my cases, read model and portal (real broker and database)', () => {
  let h: IngestAppHarness;
  let producer: EventProducer;
  let interactions: TopicReader;
  const http = () => request(h.app.getHttpServer());
  const at = (minutes: number) => new Date(Date.now() + minutes * 60000).toISOString();

  const register = async (phone: string) => (await http().post('/accounts/register').send({ phone, password: 'a good password 1' }).expect(201)).body;
  /** What the router would say about a case, on the real topic. */
  const caseEvent = <T extends keyof (typeof TOPICS.caseEvents)['events'] & string>(type: T, payload: Record<string, unknown>) =>
    producer.publish(TOPICS.caseEvents, type, { actor: 'system', ...payload } as never);

  beforeAll(async () => {
    h = await startIngestApp();
    const kafka = testKafka();
    producer = new EventProducer(kafka, 'router');
    interactions = await new TopicReader(kafka, TOPICS.inquiryInteraction.name).start();
  });

  afterAll(async () => {
    await interactions.stop();
    await producer.disconnect();
    await h.close();
  });

  it('registers by phone, stores the number only as an HMAC and a ciphertext, logs in, refreshes and logs out', async () => {
    const tokens = await register('+86 139 0000 1111');
    expect(tokens).toMatchObject({ accountId: expect.any(String), accessToken: expect.any(String), refreshToken: expect.any(String) });
    const rows = await h.db.query('SELECT * FROM ingest_app.accounts WHERE account_id = $1', [tokens.accountId]);
    expect(JSON.stringify(rows)).not.toContain('13900001111');
    expect(rows[0].password_hash).toMatch(/^\$argon2/);

    const again = await http().post('/accounts/register').send({ phone: '13900001111', password: 'another password' }).expect(409);
    expect(again.body.code).toBe('account.exists');
    await http().post('/accounts/login').send({ phone: '13900001111', password: 'wrong password' }).expect(401);
    const login = await http().post('/accounts/login').send({ phone: '139-0000-1111', password: 'a good password 1' }).expect(200);
    expect(login.body.accountId).toBe(tokens.accountId);

    const refreshed = await http().post('/accounts/refresh').send({ refreshToken: login.body.refreshToken }).expect(200);
    await http().post('/accounts/refresh').send({ refreshToken: login.body.refreshToken }).expect(401); // rotated
    await http().post('/accounts/logout').send({ refreshToken: refreshed.body.refreshToken }).expect(204);
    const revoked = await http().post('/accounts/refresh').send({ refreshToken: refreshed.body.refreshToken }).expect(401);
    expect(revoked.body.code).toBe('auth.refresh_invalid');

    await http().get('/me/cases').expect(401);
    const bad = await http().get('/me/cases').set('Authorization', 'Bearer not-a-jwt').expect(401);
    expect(bad.body.code).toBe('auth.invalid_token');
  });

  it('shows a citizen only their own cases; an anonymous case only with its follow-up token', async () => {
    const alice = await register('13900002222');
    const bob = await register('13900003333');
    const mine = await http().post('/inquiries').set('Authorization', `Bearer ${alice.accessToken}`).send({ content: '我家楼下的垃圾站长期不清运。' }).expect(201);
    expect(mine.body.followUpToken).toBeUndefined();

    const list = await http().get('/me/cases').set('Authorization', `Bearer ${alice.accessToken}`).expect(200);
    expect(list.body.items.map((c: { inquiryId: string }) => c.inquiryId)).toEqual([mine.body.inquiryId]);
    expect(list.body.items[0]).toMatchObject({ status: 'submitted', trackingNo: mine.body.trackingNo });
    expect((await http().get('/me/cases').set('Authorization', `Bearer ${bob.accessToken}`).expect(200)).body.items).toEqual([]);
    const other = await http().get(`/cases/${mine.body.inquiryId}`).set('Authorization', `Bearer ${bob.accessToken}`).expect(404);
    expect(other.body.code).toBe('case.not_found');
    await http().post(`/cases/${mine.body.inquiryId}/information`).set('Authorization', `Bearer ${bob.accessToken}`).send({ text: '冒充补充' }).expect(404);
    await http().get(`/cases/${mine.body.inquiryId}`).expect(404);

    const anonymous = await http().post('/inquiries').send({ content: '匿名反映：夜间施工噪音扰民。' }).expect(201);
    await http().get(`/cases/${anonymous.body.inquiryId}`).set('X-Follow-Up-Token', anonymous.body.followUpToken).expect(200);
    await http().get(`/cases/${anonymous.body.inquiryId}`).set('X-Follow-Up-Token', 'x'.repeat(43)).expect(404);
    await http().get(`/cases/${anonymous.body.inquiryId}`).set('Authorization', `Bearer ${alice.accessToken}`).expect(404);
    // A follow-up token opens only its own case.
    await http().get(`/cases/${mine.body.inquiryId}`).set('X-Follow-Up-Token', anonymous.body.followUpToken).expect(404);
  });

  it('follows the case events into the timeline, takes a rating, and publishes the masked case on the portal', async () => {
    const citizen = await register('13900004444');
    const auth = { Authorization: `Bearer ${citizen.accessToken}` };
    const content = '我叫王建国，住在榆阳区新建南路，手机13912345678，小区门口的井盖丢失，非常危险，请尽快处理。';
    const sub = await http()
      .post('/inquiries')
      .set(auth)
      .field('content', content)
      .field('anonymous', 'true')
      .attach('photos', await phonePhoto(900, 700, 11), { filename: 'a.jpg', contentType: 'image/jpeg' })
      .attach('photos', await phonePhoto(900, 700, 12), { filename: 'b.jpg', contentType: 'image/jpeg' })
      .expect(201);
    const inquiryId: string = sub.body.inquiryId;
    const [{ attachments }] = await h.db.query('SELECT attachments FROM ingest_app.inquiries WHERE inquiry_id = $1', [inquiryId]);

    await http().post(`/cases/${inquiryId}/rating`).set(auth).send({ rating: '满意' }).expect(409); // not replied yet

    await caseEvent('Received', { inquiryId, at: at(0), channel: 'app', trackingNo: sub.body.trackingNo, content, receivedAt: sub.body.receivedAt });
    await caseEvent('Classified', { inquiryId, at: at(1), category: '城乡建设', confidence: 0.93, area: '榆阳区' });
    await caseEvent('Assigned', { inquiryId, at: at(2), unitId: 'yy-cg', unitName: '榆阳区城市管理局', coUnitIds: [], acceptDeadline: at(1440), replyDeadline: at(7200) });
    const accepted = await caseEvent('Accepted', { inquiryId, at: at(3), unitId: 'yy-cg', unitName: '榆阳区城市管理局', onTime: true });
    await producer.publishEnvelopes(TOPICS.caseEvents, [accepted]); // a redelivery
    await caseEvent('ReplyPosted', {
      inquiryId, at: at(4), unitId: 'yy-cg', unitName: '榆阳区城市管理局', onTime: true, attachments: [],
      text: '王建国您好：经核实，井盖已于当日补装。如有疑问请拨打0912-3456789。',
    });

    const detail = await waitFor(async () => {
      const res = await http().get(`/cases/${inquiryId}`).set(auth);
      return res.body.status === 'replied' && res.body;
    }, 'the case to be replied in the read model');
    expect(detail.timeline.map((t: { type: string }) => t.type)).toEqual(['Received', 'Assigned', 'Accepted', 'ReplyPosted']);
    expect(detail.timeline[1].unitName).toBe('榆阳区城市管理局');
    expect(detail.timeline[3].text).toContain('井盖已于当日补装');
    expect(detail.unitName).toBe('榆阳区城市管理局');
    expect(detail.content).toBe(content); // the citizen sees their own words unmasked

    await http().post(`/cases/${inquiryId}/rating`).set(auth).send({ rating: '很好' }).expect(400);
    await http().post(`/cases/${inquiryId}/rating`).set(auth).send({ rating: '基本满意', comment: '处理及时' }).expect(202);
    await http()
      .post(`/cases/${inquiryId}/information`)
      .set(auth)
      .field('text', '另外旁边还有一个井盖松动。')
      .attach('photos', await phonePhoto(800, 600, 13), { filename: 'c.jpg', contentType: 'image/jpeg' })
      .expect(202);
    const sent = await waitFor(() => {
      const mine = interactions.values<Interaction>().filter((e) => e.payload.inquiryId === inquiryId);
      return mine.length >= 2 && mine;
    }, 'the interaction events');
    expect(sent.map((e) => e.type).sort()).toEqual(['InformationAdded', 'RatingGiven']);
    const rating = sent.find((e) => e.type === 'RatingGiven')!;
    expect(rating.payload).toMatchObject({ rating: '基本满意', comment: '处理及时', citizen: { channel: 'app', account: citizen.accountId } });
    const information = sent.find((e) => e.type === 'InformationAdded')!;
    expect(information.type === 'InformationAdded' && information.payload.attachments).toEqual([
      expect.objectContaining({ kind: 'photo', contentType: 'image/jpeg', objectKey: expect.stringMatching(/^photos\//) }),
    ]);

    // The public portal: masked name, mobile and landline, searchable by words, unit, category, county, dates.
    const found = await http().get('/portal/cases').query({ q: '井盖', unitId: 'yy-cg', category: '城乡建设', county: '榆阳区', from: '2020-01-01' }).expect(200);
    const card = found.body.items.find((c: { inquiryId: string }) => c.inquiryId === inquiryId);
    expect(card).toBeDefined();
    expect(card.content).toContain('我叫王**');
    expect(card.content).toContain('139****5678');
    expect(card.content).not.toContain('王建国');
    expect(card.reply).toContain('王**您好');
    expect(card.reply).not.toContain('3456789');
    expect((await http().get('/portal/cases').query({ q: '13912345678' }).expect(200)).body.items).toEqual([]);
    expect((await http().get('/portal/cases').query({ county: '神木市' }).expect(200)).body.items).toEqual([]);
    await http().get('/portal/cases').query({ from: 'not a date' }).expect(400);

    // Photos stay private until the desk publishes them.
    const before = await http().get(`/portal/cases/${inquiryId}`).expect(200);
    expect(before.body.photos).toEqual([]);
    await http().get(`/portal/media/${attachments[0].objectKey}`).expect(404);
    await caseEvent('AttachmentsPublished', { inquiryId, at: at(5), objectKeys: [attachments[0].objectKey] });
    const after = await waitFor(async () => {
      const res = await http().get(`/portal/cases/${inquiryId}`);
      return res.body.photos?.length === 1 && res.body;
    }, 'the approved photo on the portal');
    expect(after.photos[0].url).toBe(`/portal/media/${attachments[0].objectKey}`);
    const image = await http().get(after.photos[0].thumbnailUrl).expect(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    await http().get(`/portal/media/${attachments[1].objectKey}`).expect(404);
    expect(after.pageViews).toBeGreaterThanOrEqual(2); // every detail view counts (the one before, then this one)

    // The desk hides a published photo again, and masks a place the automatic mask kept.
    await caseEvent('AttachmentsWithdrawn', { inquiryId, at: at(5), objectKeys: [attachments[0].objectKey] });
    await waitFor(async () => (await http().get(`/portal/cases/${inquiryId}`)).body.photos?.length === 0 || undefined, 'the photo withdrawn');
    await http().get(after.photos[0].thumbnailUrl).expect(404);
    const maskedByDesk = after.content.replace('新建南路', '****');
    expect(maskedByDesk).not.toBe(after.content);
    await caseEvent('PublicTextMasked', { inquiryId, at: at(5), content: maskedByDesk });
    const masked = await waitFor(async () => {
      const res = await http().get(`/portal/cases/${inquiryId}`);
      return res.body.content === maskedByDesk && res.body;
    }, 'the desk-masked text on the portal');
    expect(masked.content).not.toContain('新建南路');
    expect((await http().get('/portal/cases').query({ q: '新建南路' }).expect(200)).body.items.map((c: { inquiryId: string }) => c.inquiryId)).not.toContain(inquiryId);

    await caseEvent('FeedbackRecorded', { inquiryId, at: at(6), rating: '基本满意' });
    await caseEvent('Closed', { inquiryId, at: at(7), outcome: 'resolved' });
    await waitFor(async () => (await http().get(`/cases/${inquiryId}`).set(auth)).body.status === 'closed', 'the case closed');
    await http().post(`/cases/${inquiryId}/information`).set(auth).send({ text: '办结后补充' }).expect(409);

    const figures = await http().get('/portal/figures').expect(200);
    expect(figures.body).toMatchObject({ received: expect.any(Number), replied: expect.any(Number) });
    expect(figures.body.replied).toBeGreaterThanOrEqual(1);
    // City-wide figures include other test files' cases in the same database; this case's unit is its own.
    expect(figures.body.satisfactionRate).toBeGreaterThan(0);
    expect(figures.body.pageViews).toBeGreaterThanOrEqual(4);
    const units = await http().get('/portal/units').expect(200);
    expect(units.body).toContainEqual(
      expect.objectContaining({ unitId: 'yy-cg', unitName: '榆阳区城市管理局', replied: 1, replyRate: 1, onTimeRate: 1, satisfactionRate: 1 }),
    );
    await http().get(`/portal/cases/${newId()}`).expect(404);
  });

  it('applies each case event once even when it is delivered twice', async () => {
    const inquiryId = newId();
    const received = await caseEvent('Received', { inquiryId, at: at(0), channel: 'wechat', content: '微信渠道的诉求。', receivedAt: at(0) });
    await producer.publishEnvelopes(TOPICS.caseEvents, [received, received]);
    await waitFor(async () => (await h.db.query('SELECT 1 FROM ingest_app.case_views WHERE inquiry_id = $1', [inquiryId])).length === 1, 'the view');
    await caseEvent('Rejected', { inquiryId, at: at(1), reason: '非政务问题' });
    await waitFor(async () => (await h.db.query(`SELECT 1 FROM ingest_app.case_views WHERE inquiry_id = $1 AND status = 'rejected'`, [inquiryId])).length === 1, 'the rejection');
    const timeline = await h.db.query('SELECT type FROM ingest_app.case_timeline WHERE inquiry_id = $1 ORDER BY at', [inquiryId]);
    expect(timeline.map((t: { type: string }) => t.type)).toEqual(['Received', 'Rejected']);
  });
});
