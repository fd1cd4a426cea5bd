import { newId } from '@app/common';
import { ContactsRepository } from '../../apps/notifier/src/contacts/contacts.repository.js';
import request from 'supertest';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { hoursFromNow, NotifierHarness, received } from './support/notifier-harness.js';

const SECRET = 'unit-webhook-secret-0123456789';

describe('notifier: notices to units (e-mail over SMTP, signed webhooks, escalations)', () => {
  let h: NotifierHarness;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    h = await NotifierHarness.start({ WEBHOOK_DISABLE_AFTER: '3', DELIVERY_MAX_ATTEMPTS: '8' });
    hook = await WebhookReceiver.start(SECRET);
  });

  afterAll(async () => {
    await hook?.close();
    await h?.stop();
  });

  const assigned = (inquiryId: string, unitId: string, contacts: Record<string, unknown>) => ({
    inquiryId,
    at: new Date().toISOString(),
    actor: 'system',
    unitId,
    unitName: '神木市水务局',
    coUnitIds: [],
    acceptDeadline: hoursFromNow(24),
    replyDeadline: hoursFromNow(120),
    unitContacts: contacts as never,
  });

  it('e-mails and signs a webhook for an assignment, once even when the event is redelivered', async () => {
    const c = received('app');
    await h.caseEvent('Received', c);
    const unitId = `unit-${newId()}`;
    const event = await h.caseEvent(
      'Assigned',
      assigned(c.inquiryId, unitId, { emails: ['shuiwu@sm.gov.cn', 'bangongshi@sm.gov.cn'], webhook: { url: hook.url, secret: SECRET }, prefer: 'both' }),
    );
    const { TOPICS } = await import('@app/common');
    await h.producer.publishEnvelopes(TOPICS.caseEvents, [event]); // the same event again, as after a rebalance

    const mail = await h.waitFor(() => h.smtp.mails.find((m) => m.subject?.includes(c.trackingNo!)), 'the assignment e-mail');
    expect(mail.subject).toBe(`【榆林百姓问政】交办：${c.trackingNo} 高家堡镇自来水停了三天`);
    expect((mail.to as { value: { address: string }[] }).value.map((v) => v.address)).toEqual(['shuiwu@sm.gov.cn', 'bangongshi@sm.gov.cn']);
    expect(mail.text).toContain('神木市高家堡镇自来水已经停了三天，老人孩子用水困难');
    expect(mail.text).toContain('答复时限：');
    expect(mail.text).toContain(`https://wz.yulin.gov.cn/media/inquiries/${c.inquiryId}/photo-1.jpg`);
    expect(mail.html).toContain(`<a href="https://wz.yulin.gov.cn/console/cases/${c.inquiryId}">在平台中查看</a>`);
    expect(mail.html).toContain('<h2>神木市水务局：有一件诉求交办给贵单位办理</h2>');
    expect(mail.headers.get('x-wenzheng-delivery')).toMatch(/^[0-9A-Z]{26}$/);
    expect(mail.messageId).toBe(`<${mail.headers.get('x-wenzheng-delivery')}@notifier.wenzheng>`);

    const delivered = await h.waitFor(() => hook.hooks.find((x) => x.body.inquiryId === c.inquiryId), 'the signed webhook');
    expect(delivered.verified).toBe(true);
    expect(delivered.body).toMatchObject({ event: 'case.assigned', unitId, trackingNo: c.trackingNo, reassigned: false });
    expect(delivered.body.photos).toEqual([`https://wz.yulin.gov.cn/media/inquiries/${c.inquiryId}/photo-1.jpg`]);

    const events = await h.waitFor(() => {
      const e = h.eventsFor((x) => x.payload.inquiryId === c.inquiryId && x.type === 'DeliverySucceeded');
      return e.length >= 2 && e;
    }, 'two DeliverySucceeded events');
    expect(events.map((e) => e.payload.channel).sort()).toEqual(['email', 'webhook']);

    await new Promise((r) => setTimeout(r, 1500));
    expect(h.smtp.mails.filter((m) => m.subject?.includes(c.trackingNo!))).toHaveLength(1);
    expect(hook.hooks.filter((x) => x.body.inquiryId === c.inquiryId)).toHaveLength(1);
    expect(await h.deliveries(c.inquiryId)).toEqual([
      expect.objectContaining({ channel: 'email', purpose: 'assignment', status: 'sent', attempts: 1 }),
      expect.objectContaining({ channel: 'webhook', purpose: 'assignment', status: 'sent', attempts: 1 }),
    ]);
    const metrics = await request(h.app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/wz_notifier_deliveries_total\{[^}]*channel="email",outcome="sent"[^}]*\} [1-9]/);
    expect(metrics.text).toMatch(/wz_notifier_deliveries_total\{[^}]*channel="webhook",outcome="sent"[^}]*\} [1-9]/);
  });

  it('knows a new unit that another instance saved while this one waited on its row (two notifiers, one new unit)', async () => {
    const contacts = h.app.get(ContactsRepository);
    const unitId = `U${newId()}`.slice(0, 20);
    const update = { emails: [`${unitId.toLowerCase()}@units.test`], prefer: 'email' as const };
    let second: Promise<Awaited<ReturnType<ContactsRepository['saveUnit']>>> | undefined;
    await h.db.transaction(async (first) => {
      await contacts.saveUnit(first, unitId, '新单位', update);
      // The other instance's statement starts now, waits on the uncommitted row, and reads after this commits.
      second = h.db.transaction((m) => contacts.saveUnit(m, unitId, '新单位', update));
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(await second).toMatchObject({ unitId, emails: update.emails, prefer: 'email', webhookDisabled: false });
  });

  it('tells the unit a case is reassigned to that it is a reassignment (改派); the first unit got an assignment (交办)', async () => {
    const c = received('app');
    await h.caseEvent('Received', c);
    const first = `unit-${newId()}`;
    const second = `unit-${newId()}`;
    await h.caseEvent('Assigned', assigned(c.inquiryId, first, { emails: ['first@sm.gov.cn'], prefer: 'email' }));
    const firstMail = await h.waitFor(() => h.smtp.mails.find((m) => m.subject?.includes(c.trackingNo!)), 'the first unit\'s e-mail');
    expect(firstMail.subject).toContain('交办：');
    await h.caseEvent('Assigned', assigned(c.inquiryId, second, { emails: ['second@sm.gov.cn'], prefer: 'email' }));
    const secondMail = await h.waitFor(
      () => h.smtp.mails.find((m) => m.subject?.includes(c.trackingNo!) && (m.to as { value: { address: string }[] }).value[0].address === 'second@sm.gov.cn'),
      'the second unit\'s e-mail',
    );
    expect(secondMail.subject).toBe(`【榆林百姓问政】改派：${c.trackingNo} 高家堡镇自来水停了三天`);
  });

  it('gives each co-handling unit its own notice (who leads, the deadline) by its preference, once per event and unit', async () => {
    const c = received('app');
    await h.caseEvent('Received', c);
    const [lead, byMail, byHook, known] = ['lead', 'mail', 'hook', 'known'].map((k) => `unit-${k}-${newId()}`);
    // A co-handling unit the notifier knows only from an earlier UnitContactsChanged (the event names just its id).
    await h.caseEvent('UnitContactsChanged', {
      inquiryId: `unit:${known}`, at: new Date().toISOString(), actor: 'agent-1', unitId: known, unitName: '神木市交通运输局',
      unitContacts: { emails: ['jiaotong@sm.gov.cn'], prefer: 'email' },
    });
    // That event is keyed by the unit, the case's by the case: another partition, so wait until it is known.
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.unit_contacts WHERE unit_id = $1`, [known])).length > 0, 'the known unit’s contacts');
    const event = await h.caseEvent('Assigned', {
      ...assigned(c.inquiryId, lead, { emails: ['shuiwu@sm.gov.cn'], prefer: 'email' }),
      coUnitIds: [byMail, byHook, known],
      coUnits: [
        { unitId: byMail, unitName: '神木市住房和城乡建设局', unitContacts: { emails: ['zhujian@sm.gov.cn'], prefer: 'email' } },
        { unitId: byHook, unitName: '高家堡镇人民政府', unitContacts: { emails: ['gjb@sm.gov.cn'], webhook: { url: hook.url, secret: SECRET }, prefer: 'webhook' } },
      ],
    });
    const { TOPICS } = await import('@app/common');
    await h.producer.publishEnvelopes(TOPICS.caseEvents, [event]);

    const coMail = await h.waitFor(() => h.smtp.mails.find((m) => m.subject === `【榆林百姓问政】协办：${c.trackingNo} 高家堡镇自来水停了三天`), 'the co-handling e-mail');
    expect((coMail.to as { text: string }).text).toBe('zhujian@sm.gov.cn');
    expect(coMail.text).toContain('神木市住房和城乡建设局：贵单位为一件诉求的协办单位');
    expect(coMail.text).toContain('主办单位：神木市水务局');
    expect(coMail.text).toMatch(/答复时限：\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}（北京时间）/);
    expect(coMail.text).toContain('本件由神木市水务局主办，贵单位协办');
    expect(coMail.html).toContain(`<a href="https://wz.yulin.gov.cn/console/cases/${c.inquiryId}">在平台中查看</a>`);
    const knownMail = await h.waitFor(() => h.smtp.mails.find((m) => (m.to as { text: string }).text === 'jiaotong@sm.gov.cn' && m.subject?.includes(c.trackingNo!)), 'the known unit’s e-mail');
    expect(knownMail.text).toContain('神木市交通运输局：贵单位为一件诉求的协办单位');

    const coHook = await h.waitFor(() => hook.hooks.find((x) => x.body.inquiryId === c.inquiryId), 'the co-handling webhook');
    expect(coHook.verified).toBe(true);
    expect(coHook.body).toMatchObject({ event: 'case.co_assigned', role: 'co_handling', unitId: byHook, leadUnitId: lead, leadUnitName: '神木市水务局', trackingNo: c.trackingNo });

    await h.waitFor(async () => (await h.deliveries(c.inquiryId)).every((r) => r.status === 'sent') && true, 'every notice sent');
    await new Promise((r) => setTimeout(r, 1500));
    const rows = await h.deliveries(c.inquiryId);
    expect(rows.map((r) => [r.purpose, r.channel, r.status]).sort()).toEqual([
      ['assignment', 'email', 'sent'],
      ['co_assignment', 'email', 'sent'],
      ['co_assignment', 'email', 'sent'],
      ['co_assignment', 'webhook', 'sent'],
    ]);
    expect(h.smtp.mails.filter((m) => m.subject?.includes(c.trackingNo!))).toHaveLength(3);
    expect(hook.hooks.filter((x) => x.body.inquiryId === c.inquiryId)).toHaveLength(1);
  });

  it('keeps the contacts a unit registered through UnitContactsChanged for its next assignment', async () => {
    const unitId = `unit-${newId()}`;
    await h.caseEvent('UnitContactsChanged', {
      inquiryId: `unit:${unitId}`,
      at: new Date().toISOString(),
      actor: 'agent-1',
      unitId,
      unitName: '神木市水务局',
      unitContacts: { emails: [], webhook: { url: hook.url, secret: SECRET }, prefer: 'webhook' },
    });
    // Registered first, assigned later (events on two partitions: Kafka orders them only by when they are handled).
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.unit_contacts WHERE unit_id = $1`, [unitId])).length > 0, 'the registration');
    const c = received('app');
    await h.caseEvent('Received', c);
    const { unitContacts: _none, ...withoutContacts } = assigned(c.inquiryId, unitId, {});
    await h.caseEvent('Assigned', withoutContacts);
    const delivered = await h.waitFor(() => hook.hooks.find((x) => x.body.inquiryId === c.inquiryId), 'the webhook');
    expect(delivered.verified).toBe(true);
    expect(delivered.body).toMatchObject({ unitId, event: 'case.assigned' });
  });

  it('retries a failing webhook with back-off, switches it off after 3 failures, tells the desk and falls back to e-mail', async () => {
    const c = received('app');
    await h.caseEvent('Received', c);
    const unitId = `unit-${newId()}`;
    const before = hook.requests;
    hook.failWith(503, 3);
    await h.caseEvent('Assigned', assigned(c.inquiryId, unitId, { emails: ['fallback@sm.gov.cn'], webhook: { url: hook.url, secret: SECRET }, prefer: 'webhook' }));

    const disabled = await h.waitFor(
      () => h.eventsFor((e) => e.type === 'WebhookDisabled' && e.payload.inquiryId === c.inquiryId)[0],
      'WebhookDisabled',
    );
    expect(disabled.payload).toMatchObject({ unitId, consecutiveFailures: 3, channel: 'webhook' });
    expect(hook.requests - before).toBe(3);
    const failed = h.eventsFor((e) => e.type === 'DeliveryFailed' && e.payload.inquiryId === c.inquiryId);
    expect(failed.map((e) => (e.payload as { final: boolean }).final)).toEqual([false, false, true]);

    const mail = await h.waitFor(() => h.smtp.mails.find((m) => m.subject?.includes(c.trackingNo!)), 'the fallback e-mail');
    expect((mail.to as { text: string }).text).toBe('fallback@sm.gov.cn');
    const [row] = await h.db.query(`SELECT webhook_disabled_at IS NOT NULL AS off FROM notifier.unit_contacts WHERE unit_id = $1`, [unitId]);
    expect(row.off).toBe(true);

    // A later case for the same unit goes by e-mail only while the webhook is off.
    const c2 = received('app');
    await h.caseEvent('Received', c2);
    await h.caseEvent('Assigned', assigned(c2.inquiryId, unitId, { emails: ['fallback@sm.gov.cn'], webhook: { url: hook.url, secret: SECRET }, prefer: 'webhook' }));
    await h.waitFor(() => h.smtp.mails.find((m) => m.subject?.includes(c2.trackingNo!)), 'the e-mail for the next case');
    expect(hook.requests - before).toBe(3);
  });

  it('warns the unit of a coming deadline and reports a breach to the unit and the supervision body', async () => {
    const c = received('app');
    await h.caseEvent('Received', c);
    await h.caseEvent('Assigned', assigned(c.inquiryId, `unit-${newId()}`, { emails: ['zhiban@sm.gov.cn'], prefer: 'email' }));
    await h.waitFor(() => h.smtp.mails.find((m) => m.subject?.includes(`交办：${c.trackingNo}`)), 'assignment');
    await h.caseEvent('SlaWarning', { inquiryId: c.inquiryId, at: new Date().toISOString(), actor: 'system', clock: 'reply', deadline: hoursFromNow(4) });
    await h.caseEvent('SlaBreached', { inquiryId: c.inquiryId, at: new Date().toISOString(), actor: 'system', clock: 'reply', deadline: hoursFromNow(-1) });

    const warning = await h.waitFor(() => h.smtp.mails.find((m) => m.subject === `【榆林百姓问政】答复即将到期：${c.trackingNo}`), 'warning');
    expect((warning.to as { text: string }).text).toBe('zhiban@sm.gov.cn');
    const breach = await h.waitFor(() => h.smtp.mails.find((m) => m.subject === `【榆林百姓问政】答复已超期：${c.trackingNo}`), 'breach to unit');
    expect(breach.text).toContain('已同时报送督查部门');
    const supervision = await h.waitFor(() => h.smtp.mails.find((m) => m.subject === `【榆林百姓问政】督办：${c.trackingNo} 答复超期`), 'breach to supervision');
    expect((supervision.to as { text: string }).text).toBe('duban@jw.yulin.gov.cn');
    expect(supervision.text).toContain('承办单位：神木市水务局');
  });

  it('retries an e-mail the SMTP server deferred (4xx) and gives up on a permanent refusal (5xx)', async () => {
    const c = received('app');
    await h.caseEvent('Received', c);
    h.smtp.rejectNext(451);
    await h.caseEvent('Assigned', assigned(c.inquiryId, `unit-${newId()}`, { emails: ['later@sm.gov.cn'], prefer: 'email' }));
    await h.waitFor(() => h.smtp.mails.find((m) => m.subject?.includes(c.trackingNo!)), 'e-mail after a deferral');
    // The SMTP server has the mail before the notifier records the outcome: wait for the row to settle.
    const settled = await h.waitFor(async () => {
      const r = await h.deliveries(c.inquiryId);
      return r.length === 1 && r[0].status === 'sent' && r;
    }, 'the delivery marked sent');
    expect(settled).toEqual([expect.objectContaining({ status: 'sent', attempts: 2 })]);

    const c2 = received('app');
    await h.caseEvent('Received', c2);
    h.smtp.rejectNext(550);
    await h.caseEvent('Assigned', assigned(c2.inquiryId, `unit-${newId()}`, { emails: ['nobody@sm.gov.cn'], prefer: 'email' }));
    const dead = await h.waitFor(
      () => h.eventsFor((e) => e.type === 'DeliveryFailed' && e.payload.inquiryId === c2.inquiryId)[0],
      'final DeliveryFailed',
    );
    expect(dead.payload).toMatchObject({ channel: 'email', final: true });
    expect((await h.deliveries(c2.inquiryId))[0]).toMatchObject({ status: 'dead', attempts: 1 });
  });
});
