import { DeliveryDeadLettersV1, newId, TOPICS } from '@app/common';
import request from 'supertest';
import { DeadLetterReplay, type DeadLetter } from '../../apps/notifier/src/delivery/dead-letter.replay.js';
import { DeliveryRepository } from '../../apps/notifier/src/delivery/delivery.repository.js';
import { DispatcherService } from '../../apps/notifier/src/delivery/dispatcher.service.js';
import { testKafka, TopicReader } from '../support/helpers.js';
import { NotifierHarness, received } from './support/notifier-harness.js';

const ADMIN = 'notifier-admin-token-for-tests-0123';

describe('notifier: the persisted send queue (never twice, crash recovery, shared by instances)', () => {
  let h: NotifierHarness;
  let deadLetters: TopicReader;

  beforeAll(async () => {
    h = await NotifierHarness.start({ DISPATCH_LEASE_MS: '5000', VENDOR_TIMEOUT_MS: '1000', DELIVERY_MAX_ATTEMPTS: '3', NOTIFIER_ADMIN_TOKEN: ADMIN });
    deadLetters = await new TopicReader(testKafka('notifier-dlq-test'), DeliveryDeadLettersV1.name).start();
  });

  afterAll(async () => {
    await deadLetters?.stop();
    await h?.stop();
  });

  const deadLetterOf = (messageId: string) =>
    h.waitFor(() => deadLetters.values<DeadLetter>().find((l) => l.payload.messageId === messageId), `the dead letter of ${messageId}`);

  /** A row left `sending` by a dead instance; `callStarted`: it had begun the vendor call. */
  const sendingRow = async (channel: 'wechat' | 'email', message: object, callStarted = true): Promise<{ inquiryId: string; messageId: string }> => {
    const inquiryId = newId();
    const messageId = newId();
    await h.db.query(
      `INSERT INTO notifier.deliveries (idempotency_key, message_id, inquiry_id, channel, purpose, recipient, message, status, attempts, lease_until, call_started_at)
       VALUES ($1, $2, $3, $4, 'reply', 'r', $5, 'sending', 1, now() - interval '1 second', CASE WHEN $6 THEN now() - interval '2 seconds' END)`,
      [`test:${messageId}`, messageId, inquiryId, channel, JSON.stringify(message), callStarted],
    );
    return { inquiryId, messageId };
  };
  const wechatReply = (openId: string) => ({ channel: 'wechat', openId, text: '答复', link: 'https://x', template: { first: 'a', keyword1: 'b', keyword2: 'c', keyword3: 'd', remark: 'e' } });

  it('after a crash mid-send, never re-sends to a citizen (uncertain, reported) but re-sends a unit e-mail with the same Message-ID', async () => {
    const openId = `oWx${newId()}`;
    const wx = await sendingRow('wechat', wechatReply(openId));
    const mail = await sendingRow('email', { channel: 'email', to: ['crash@sm.gov.cn'], subject: `恢复测试 ${newId()}`, text: '正文', html: '<p>正文</p>' });
    await h.app.get(DispatcherService).recover();

    const failed = await h.waitFor(() => h.eventsFor((e) => e.payload.messageId === wx.messageId)[0], 'the uncertain report');
    expect(failed.type).toBe('DeliveryFailed');
    expect(failed.payload).toMatchObject({ final: true, channel: 'wechat' });
    expect((failed.payload as { error: string }).error).toMatch(/outcome unknown/);
    const [row] = await h.db.query(`SELECT status FROM notifier.deliveries WHERE message_id = $1`, [wx.messageId]);
    expect(row.status).toBe('uncertain');

    const resent = await h.waitFor(() => h.smtp.mails.find((m) => m.headers.get('x-wenzheng-delivery') === mail.messageId), 'the re-sent e-mail');
    expect(resent.messageId).toBe(`<${mail.messageId}@notifier.wenzheng>`);
    await new Promise((r) => setTimeout(r, 500));
    // Only this citizen counts: other test files may leave work that reaches this stand-in.
    const toCitizen = [...h.wechat.custom, ...h.wechat.templates].filter((m) => m.touser === openId);
    expect(toCitizen).toHaveLength(0);
  });

  it('sends a citizen message whose claim died before its vendor call began, once, instead of calling it uncertain', async () => {
    const openId = `oWx${newId()}`;
    const wx = await sendingRow('wechat', wechatReply(openId), false);
    await h.app.get(DispatcherService).recover();
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.deliveries WHERE message_id = $1 AND status = 'sent'`, [wx.messageId])).length, 'the row sent');
    await new Promise((r) => setTimeout(r, 500));
    expect([...h.wechat.custom, ...h.wechat.templates].filter((m) => m.touser === openId)).toHaveLength(1);
    const [row] = await h.db.query(`SELECT attempts, call_started_at IS NOT NULL AS started FROM notifier.deliveries WHERE message_id = $1`, [wx.messageId]);
    expect(row).toEqual({ attempts: 2, started: true });
  });

  it('plans nothing twice: a redelivered reply, even after its processed-message record is gone, sends once', async () => {
    const c = received('wechat');
    await h.caseEvent('Received', c);
    const event = await h.caseEvent('ReplyPosted', {
      inquiryId: c.inquiryId, at: new Date().toISOString(), actor: 'a', unitId: 'u', unitName: '神木市水务局', text: '已恢复供水。', attachments: [], onTime: true,
    });
    await h.producer.publishEnvelopes(TOPICS.caseEvents, [event]);
    await h.waitFor(() => h.wechat.templates.find((m) => m.touser === c.citizen!.externalUserId), 'the reply');
    await h.db.query(`DELETE FROM notifier.processed_messages WHERE message_id = $1`, [event.id]);
    await h.producer.publishEnvelopes(TOPICS.caseEvents, [event]);
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.processed_messages WHERE message_id = $1`, [event.id])).length, 'the replay processed');
    await new Promise((r) => setTimeout(r, 800));
    const rows = await h.deliveries(c.inquiryId);
    expect(rows.filter((r) => r.purpose === 'reply')).toHaveLength(1);
    expect(h.wechat.templates.filter((m) => m.touser === c.citizen!.externalUserId && m.data.keyword2.value === '神木市水务局已答复')).toHaveLength(1);
  });

  it('gives each due row to exactly one of several concurrent claimers (FOR UPDATE SKIP LOCKED)', async () => {
    const repo = h.app.get(DeliveryRepository);
    const tag = newId();
    // Rows due in the future so the running dispatcher leaves them alone until we move them.
    await repo.plan(
      h.db,
      Array.from({ length: 60 }, (_, i) => ({
        key: `claim:${tag}:${i}`, messageId: newId(), inquiryId: tag, purpose: 'test', recipient: 'x',
        message: { channel: 'app' as const, userId: 'u', title: 't', text: 't', link: 'https://x' },
        notBefore: new Date(Date.now() + 3600_000),
      })),
    );
    await h.db.query(`UPDATE notifier.deliveries SET next_attempt_at = now() - interval '1 hour' WHERE inquiry_id = $1`, [tag]);
    const claims = await Promise.all(Array.from({ length: 4 }, () => repo.claim(h.db, 100, 60000)));
    const mine = claims.map((c) => c.filter((r) => r.inquiryId === tag).map((r) => r.id));
    const all = mine.flat();
    expect(new Set(all).size).toBe(all.length);
    // The live dispatcher may have taken some; between them every row was claimed once.
    const [{ n }] = await h.db.query(`SELECT count(*)::int AS n FROM notifier.deliveries WHERE inquiry_id = $1 AND attempts = 1`, [tag]);
    expect(n).toBe(60);
  });

  it('after the last attempt: dead, a final DeliveryFailed and a dead letter on delivery.events.v1.dlq, which replays once', async () => {
    const inquiryId = newId();
    const messageId = newId();
    const subject = `死信测试 ${messageId}`;
    for (let i = 0; i < 3; i++) h.smtp.rejectNext(451);
    await h.app.get(DeliveryRepository).plan(h.db, [
      {
        key: `dlq:${messageId}`, messageId, inquiryId, purpose: 'assignment', recipient: 'dlq@sm.gov.cn',
        message: { channel: 'email', to: ['dlq@sm.gov.cn'], subject, text: '正文', html: '<p>正文</p>' },
      },
    ]);
    h.app.get(DispatcherService).poke();

    const letter = await deadLetterOf(messageId);
    expect(letter.type).toBe('DeliveryDeadLettered');
    expect(letter.payload).toMatchObject({ inquiryId, channel: 'email', status: 'dead', attempts: 3, purpose: 'assignment', idempotencyKey: `dlq:${messageId}` });
    expect(letter.payload.error).toMatch(/451/);
    expect(letter.payload.message).toMatchObject({ channel: 'email', subject });
    // The dead letter and the events travel on two topics, read by two readers: either may come first.
    const failures = await h.waitFor(() => {
      const found = h.eventsFor((e) => e.payload.messageId === messageId && e.type === 'DeliveryFailed');
      return found.length >= 3 && found;
    }, 'three DeliveryFailed events');
    expect(failures.map((e) => (e.payload as { final: boolean }).final)).toEqual([false, false, true]);
    const [row] = await h.db.query(`SELECT status, attempts FROM notifier.deliveries WHERE message_id = $1`, [messageId]);
    expect(row).toEqual({ status: 'dead', attempts: 3 });
    expect(h.smtp.mails.find((m) => m.subject === subject)).toBeUndefined();

    // The operator replays it over HTTP (the SMTP server works again): sent once, under the same delivery id.
    const http = () => request(h.app.getHttpServer());
    await http().post('/dead-letters/replay').send(letter).expect(403);
    await http().post('/dead-letters/replay').set('X-Admin-Token', 'wrong-token-wrong-token-wrong').send(letter).expect(403);
    await http().post('/dead-letters/replay').set('X-Admin-Token', ADMIN).send({ ...letter, type: 'DeliverySucceeded' }).expect(400);
    await http().post('/dead-letters/replay').set('X-Admin-Token', ADMIN).send(letter).expect(200, { outcome: 'requeued' });
    const replay = h.app.get(DeadLetterReplay);
    const mail = await h.waitFor(() => h.smtp.mails.find((m) => m.subject === subject), 'the replayed e-mail');
    expect(mail.headers.get('x-wenzheng-delivery')).toBe(messageId);
    await h.waitFor(() => h.eventsFor((e) => e.payload.messageId === messageId && e.type === 'DeliverySucceeded')[0], 'the success report');
    expect(await replay.replay(letter)).toBe('not_dead');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.smtp.mails.filter((m) => m.subject === subject)).toHaveLength(1);
  });

  it('dead-letters an uncertain citizen message too, and a replay on an empty queue plans it again', async () => {
    const openId = `oWx${newId()}`;
    const wx = await sendingRow('wechat', wechatReply(openId));
    await h.app.get(DispatcherService).recover();
    const letter = await deadLetterOf(wx.messageId);
    expect(letter.payload).toMatchObject({ status: 'uncertain', channel: 'wechat' });
    await h.db.query(`DELETE FROM notifier.deliveries WHERE message_id = $1`, [wx.messageId]);
    expect(await h.app.get(DeadLetterReplay).replay(letter)).toBe('planned');
    const [row] = await h.db.query(`SELECT idempotency_key, channel FROM notifier.deliveries WHERE message_id = $1`, [wx.messageId]);
    expect(row).toEqual({ idempotency_key: `test:${wx.messageId}`, channel: 'wechat' });
    await expect(h.app.get(DeadLetterReplay).replay({ ...letter, payload: { ...letter.payload, messageId: '' } })).rejects.toThrow(/violates the contract/);
  });
});
