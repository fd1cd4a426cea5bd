import { TOPICS } from '@app/common';
import request from 'supertest';
import { NotifierHarness, received } from '../notifier/support/notifier-harness.js';
import { waitFor } from '../support/helpers.js';
import { startIngestApp, type IngestAppHarness } from './support/ingest-app-harness.js';

/**
 * Issue 8.2: the app citizen's in-app notification. The notifier's app delivery reports
 * `AppNotificationCreated` on delivery.events.v1; ingest-app keeps it for the signed-in citizen.
 */
describe('in-app notifications: notifier → delivery.events.v1 → ingest-app → the citizen (real broker and database)', () => {
  let app: IngestAppHarness;
  let notifier: NotifierHarness;
  const http = () => request(app.app.getHttpServer());
  const register = async (phone: string): Promise<{ accountId: string; accessToken: string }> =>
    (await http().post('/accounts/register').send({ phone, password: 'a good password 1' }).expect(201)).body;
  const list = async (token: string, query = '') => (await http().get(`/me/notifications${query}`).auth(token, { type: 'bearer' }).expect(200)).body;

  beforeAll(async () => {
    app = await startIngestApp();
    notifier = await NotifierHarness.start({ SURVEY_DELAY_MS: '600000', SURVEY_REMINDER_MS: '600000' });
  });

  afterAll(async () => {
    await notifier?.stop();
    await app?.close();
  });

  it('lists the reply and the rejection as unread notifications of their citizen only, and marks them read', async () => {
    const [alice, bob] = [await register('13900002001'), await register('13900002002')];
    const c = received('app', { citizen: { channel: 'app', externalUserId: alice.accountId, account: alice.accountId } });
    await notifier.caseEvent('Received', c);
    const reply = await notifier.caseEvent('ReplyPosted', {
      inquiryId: c.inquiryId, at: new Date().toISOString(), actor: 'agent-1', unitId: 'unit-smsw', unitName: '神木市水务局',
      text: '经核查，高家堡镇供水管道抢修已于今日完成，已恢复供水。', attachments: [], onTime: true,
    });
    // Redelivered, as after a rebalance: still one notification.
    await notifier.producer.publishEnvelopes(TOPICS.caseEvents, [reply]);
    const c2 = received('app', { citizen: { channel: 'app', externalUserId: alice.accountId, account: alice.accountId } });
    await notifier.caseEvent('Received', c2);
    await notifier.caseEvent('Rejected', { inquiryId: c2.inquiryId, at: new Date().toISOString(), actor: 'desk-1', reason: '非政务咨询事项' });

    const page = await waitFor(async () => {
      const body = await list(alice.accessToken);
      return body.items.length >= 2 && body;
    }, 'two notifications for the citizen');
    expect(page).toMatchObject({ total: 2, unread: 2, page: 1, pageSize: 20 });
    expect(page.items.map((n: { inquiryId: string; purpose: string }) => `${n.purpose}:${n.inquiryId}`).sort()).toEqual([`rejection:${c2.inquiryId}`, `reply:${c.inquiryId}`]);
    const byCase = Object.fromEntries(page.items.map((n: { inquiryId: string }) => [n.inquiryId, n]));
    expect(byCase[c.inquiryId]).toMatchObject({
      purpose: 'reply',
      title: '榆林百姓问政：神木市水务局已答复',
      link: `https://wz.yulin.gov.cn/portal/cases/${encodeURIComponent(c.trackingNo!)}`,
      read: false,
    });
    expect(byCase[c.inquiryId].text).toContain('神木市水务局答复：经核查，高家堡镇供水管道抢修已于今日完成');
    expect(byCase[c2.inquiryId]).toMatchObject({ purpose: 'rejection', title: '榆林百姓问政：未予受理' });
    expect(byCase[c2.inquiryId].text).toContain('原因：非政务咨询事项');
    // The notifier's delivery rows say the same: sent to the inbox.
    expect(await notifier.deliveries(c.inquiryId)).toEqual(expect.arrayContaining([expect.objectContaining({ channel: 'app', purpose: 'reply', status: 'sent' })]));

    expect(await list(bob.accessToken)).toMatchObject({ items: [], total: 0, unread: 0 });

    const one = await http().post('/me/notifications/read').auth(alice.accessToken, { type: 'bearer' }).send({ ids: [byCase[c.inquiryId].id] }).expect(200);
    expect(one.body).toEqual({ unread: 1 });
    // Another citizen cannot mark Alice's notification read.
    await http().post('/me/notifications/read').auth(bob.accessToken, { type: 'bearer' }).send({ ids: [byCase[c2.inquiryId].id] }).expect(200, { unread: 0 });
    const unreadOnly = await list(alice.accessToken, '?unread=true');
    expect(unreadOnly).toMatchObject({ total: 1, unread: 1 });
    expect(unreadOnly.items.map((n: { inquiryId: string }) => n.inquiryId)).toEqual([c2.inquiryId]);
    await http().post('/me/notifications/read').auth(alice.accessToken, { type: 'bearer' }).send({}).expect(200, { unread: 0 });
    expect((await list(alice.accessToken)).items.map((n: { read: boolean }) => n.read)).toEqual([true, true]);

    await new Promise((r) => setTimeout(r, 1000));
    expect((await list(alice.accessToken)).total).toBe(2);
  });

  it('needs a signed-in citizen and validates what it is given', async () => {
    const carol = await register('13900002003');
    await http().get('/me/notifications').expect(401);
    await http().post('/me/notifications/read').send({}).expect(401);
    await http().get('/me/notifications').auth('not-a-token', { type: 'bearer' }).expect(401);
    const bad = async (req: request.Test) => (await req.auth(carol.accessToken, { type: 'bearer' }).expect(400)).body;
    expect(JSON.stringify(await bad(http().get('/me/notifications?unread=maybe')))).toContain('unread 只能是 true 或 false');
    expect(JSON.stringify(await bad(http().get('/me/notifications?pageSize=500')))).toContain('pageSize 不能超过 100');
    expect(JSON.stringify(await bad(http().post('/me/notifications/read').send({ ids: [] })))).toContain('ids 不能为空数组');
    await bad(http().post('/me/notifications/read').send({ ids: [42] }));
    await bad(http().post('/me/notifications/read').send({ ids: ['x'], extra: true }));
  });
});
