import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId, TOPICS, type Citizen } from '@app/common';
import { newInquiry } from '../support/builders.js';
import { NotifierHarness, received } from './support/notifier-harness.js';

describe('notifier: replies, rejections, surveys and desk messages on the citizen’s own channel', () => {
  let h: NotifierHarness;
  let push: Server;
  const pushed: Record<string, string>[] = [];

  beforeAll(async () => {
    push = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        pushed.push(JSON.parse(body));
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => push.listen(0, '127.0.0.1', r));
    h = await NotifierHarness.start({ APP_PUSH_URL: `http://127.0.0.1:${(push.address() as AddressInfo).port}/push` });
  });

  afterAll(async () => {
    await h?.stop();
    push?.closeAllConnections();
    await new Promise((r) => push?.close(r));
  });

  const now = () => new Date().toISOString();
  const reply = (inquiryId: string, text = '经核查，高家堡镇供水管道抢修已于今日完成，已恢复供水。感谢您的监督！') => ({
    inquiryId,
    at: now(),
    actor: 'agent-1',
    unitId: 'unit-smsw',
    unitName: '神木市水务局',
    text,
    attachments: [],
    onTime: true,
  });
  const activity = (citizen: Citizen, kind?: 'message' | 'mention' | 'unfollow') =>
    h.producer.publish(TOPICS.inquiryInteraction, 'ChannelActivity', { citizen, at: now(), kind });
  const waitRows = (inquiryId: string, what: string, probe: (rows: Awaited<ReturnType<NotifierHarness['deliveries']>>) => boolean) =>
    h.waitFor(async () => {
      const rows = await h.deliveries(inquiryId);
      return probe(rows) && rows;
    }, what);

  it('WeChat, window open: the reply, then the survey, as customer-service messages; a rating cancels the reminder', async () => {
    const c = received('wechat');
    const openId = c.citizen!.externalUserId;
    await h.caseEvent('Received', c);
    await activity(c.citizen!);
    h.wechat.openWindow(openId);
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.citizen_windows WHERE external_user_id = $1`, [openId])).length, 'window');
    await h.caseEvent('ReplyPosted', reply(c.inquiryId));

    const survey = await h.waitFor(() => {
      const mine = h.wechat.custom.filter((m) => m.touser === openId);
      return mine.length >= 2 && mine;
    }, 'reply and survey');
    expect(survey[0].text!.content).toContain('神木市水务局答复：经核查，高家堡镇供水管道抢修已于今日完成');
    expect(survey[0].text!.content).toContain(c.trackingNo);
    expect(survey[1].text!.content).toContain('1 满意，2 基本满意，3 不满意');
    await h.caseEvent('FeedbackRecorded', { inquiryId: c.inquiryId, at: now(), actor: 'system', rating: '满意' });
    const rows = await waitRows(c.inquiryId, 'reminder cancelled', (r) => r.some((x) => x.purpose === 'survey_reminder' && x.status === 'cancelled'));
    expect(rows.map((r) => [r.purpose, r.status, r.mode])).toEqual([
      ['reply', 'sent', 'custom'],
      ['survey', 'sent', 'custom'],
      ['survey_reminder', 'cancelled', null],
    ]);
    expect(h.wechat.templates.filter((m) => m.touser === openId)).toHaveLength(0);
  });

  it('WeChat, no window: a template message with a link; an unrated case is reminded once', async () => {
    const c = received('wechat');
    const openId = c.citizen!.externalUserId;
    await h.caseEvent('Received', c);
    await h.caseEvent('ReplyPosted', reply(c.inquiryId));
    const sent = await h.waitFor(() => {
      const mine = h.wechat.templates.filter((m) => m.touser === openId);
      return mine.length >= 3 && mine;
    }, 'reply, survey and reminder templates', 15000);
    expect(sent.map((m) => m.data.keyword2.value)).toEqual(['神木市水务局已答复', '请评价办理结果', '提醒：尚未评价办理结果']);
    expect(sent[0]).toMatchObject({ template_id: 'TPL_CASE_PROGRESS', url: `https://wz.yulin.gov.cn/portal/cases/${c.trackingNo}` });
    expect(sent[0].data.keyword1.value).toBe(c.trackingNo);
    expect(sent[0].data.keyword2.value).toBe('神木市水务局已答复');
    const succeeded = await h.waitFor(() => {
      const e = h.eventsFor((x) => x.payload.inquiryId === c.inquiryId && x.type === 'DeliverySucceeded');
      return e.length >= 3 && e;
    }, 'delivery events');
    expect(succeeded.every((e) => e.payload.channel === 'wechat')).toBe(true);
    const rows = await h.db.query(`SELECT purpose, vendor_ref FROM notifier.deliveries WHERE inquiry_id = $1 ORDER BY id`, [c.inquiryId]);
    expect(rows[0].vendor_ref).toBe(sent[0].msgid); // a msgid above 2^53, kept digit for digit
    expect(h.wechat.custom.filter((m) => m.touser === openId)).toHaveLength(0);
  });

  it('WeChat: 45015 from the vendor falls back to the template; an expired token (42001) is refreshed once and shared', async () => {
    const c = received('wechat');
    const openId = c.citizen!.externalUserId;
    await h.caseEvent('Received', c);
    await activity(c.citizen!); // the notifier believes the window is open; the vendor (no openWindow) disagrees
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.citizen_windows WHERE external_user_id = $1`, [openId])).length, 'window');
    h.wechat.expireTokens();
    const issued = h.wechat.tokensIssued;
    await h.caseEvent('Rejected', { inquiryId: c.inquiryId, at: now(), actor: 'desk-1', reason: '该诉求属于司法诉讼范畴，请通过法律途径解决。' });
    const template = await h.waitFor(() => h.wechat.templates.find((m) => m.touser === openId), 'template after 45015');
    expect(template.data.keyword2.value).toBe('未予受理');
    expect(h.wechat.tokensIssued).toBe(issued + 1);
    // The stand-in has the template before the notifier records the outcome: wait for the row to settle.
    const rows = await h.waitFor(async () => {
      const r = await h.deliveries(c.inquiryId);
      return r.length === 1 && r[0].status !== 'sending' && r;
    }, 'the delivery outcome');
    expect(rows).toEqual([expect.objectContaining({ purpose: 'rejection', status: 'sent', mode: 'template', attempts: 1 })]);
    const [token] = await h.db.query(`SELECT token FROM wz_shared.access_tokens WHERE vendor = 'wechat' AND account = $1`, [h.wechat.appId]);
    expect(token.token).toBe(template.token);
  });

  it('learns the citizen from inquiry.submitted.v1 when Received does not carry it', async () => {
    const inquiry = newInquiry({ channel: 'wechat', citizen: { channel: 'wechat', externalUserId: `oWx${newId()}` } });
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    const { citizen: _none, ...withoutCitizen } = received('wechat', { inquiryId: inquiry.inquiryId, trackingNo: inquiry.trackingNo });
    await h.caseEvent('Received', withoutCitizen);
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.case_contacts WHERE inquiry_id = $1 AND citizen_ref IS NOT NULL`, [inquiry.inquiryId])).length, 'citizen known');
    await h.caseEvent('Rejected', { inquiryId: inquiry.inquiryId, at: now(), actor: 'desk-1', reason: '非政务咨询事项' });
    const sent = await h.waitFor(() => h.wechat.templates.find((m) => m.touser === inquiry.citizen.externalUserId), 'rejection by template');
    expect(sent.data.keyword1.value).toBe(inquiry.trackingNo);
  });

  it('WeChat: a spent quota (45047) waits for the citizen’s next action, then goes as a customer-service message', async () => {
    const c = received('wechat');
    const openId = c.citizen!.externalUserId;
    await h.caseEvent('Received', c);
    await activity(c.citizen!);
    h.wechat.openWindow(openId);
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.citizen_windows WHERE external_user_id = $1`, [openId])).length, 'window');
    h.wechat.failNext('custom', 45047, 'out of response count limit');
    await h.caseEvent('Rejected', { inquiryId: c.inquiryId, at: now(), actor: 'desk-1', reason: '请补充具体地址后重新提交' });
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.deliveries WHERE inquiry_id = $1 AND waiting_window`, [c.inquiryId])).length, 'waiting for the window');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.wechat.custom.filter((m) => m.touser === openId)).toHaveLength(0);
    expect(h.wechat.templates.filter((m) => m.touser === openId)).toHaveLength(0);

    h.wechat.openWindow(openId);
    await activity(c.citizen!);
    const sent = await h.waitFor(() => h.wechat.custom.find((m) => m.touser === openId), 'sent when the citizen wrote again');
    expect(sent.text!.content).toContain('请补充具体地址后重新提交');
    const events = h.eventsFor((e) => e.payload.inquiryId === c.inquiryId).map((e) => e.type);
    expect(events[0]).toBe('DeliveryFailed');
  });

  it('WeChat: a busy vendor (-1) is retried later and reported as a non-final failure first', async () => {
    const c = received('wechat');
    await h.caseEvent('Received', c);
    h.wechat.failNext('template', -1, 'system error');
    await h.caseEvent('Rejected', { inquiryId: c.inquiryId, at: now(), actor: 'desk-1', reason: '重复诉求' });
    await h.waitFor(() => h.wechat.templates.find((m) => m.touser === c.citizen!.externalUserId), 'template after a retry');
    const events = await h.waitFor(() => {
      const e = h.eventsFor((x) => x.payload.inquiryId === c.inquiryId);
      return e.length >= 2 && e;
    }, 'two delivery events');
    expect(events.map((e) => [e.type, e.payload.attempt])).toEqual([
      ['DeliveryFailed', 1],
      ['DeliverySucceeded', 2],
    ]);
  });

  it('Weibo: a private reply inside the window, cut to the limit with a link to the full reply', async () => {
    const c = received('weibo');
    const uid = c.citizen!.externalUserId;
    await h.caseEvent('Received', c);
    await activity(c.citizen!);
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.citizen_windows WHERE external_user_id = $1`, [uid])).length, 'window');
    const long = '经现场核查，'.repeat(80);
    await h.caseEvent('ReplyPosted', reply(c.inquiryId, long));
    const sent = await h.waitFor(() => h.weibo.replies.find((r) => r.receiverId === uid), 'messages/reply.json');
    expect([...sent.text].length).toBeLessThanOrEqual(280);
    expect(sent.text).toContain('神木市水务局答复：经现场核查');
    expect(sent.text).toContain(`（全文：https://wz.yulin.gov.cn/portal/cases/${c.trackingNo}）`);
    expect(sent.saveSenderBox).toBe('1');
  });

  it('Weibo: after the one reply a mention allows, answers go to the post’s comment thread', async () => {
    // Thread ids of this run only: a survey left over from an earlier run must not be taken for this one.
    const statusId = String(4_990_000_000_000_000 + Math.floor(Math.random() * 1e9) * 2);
    const commentId = String(BigInt(statusId) + 1n);
    const c = received('weibo', { weiboThread: { statusId, commentId } });
    const uid = c.citizen!.externalUserId;
    await h.caseEvent('Received', c);
    await activity(c.citizen!, 'mention');
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.citizen_windows WHERE external_user_id = $1`, [uid])).length, 'window');
    await h.caseEvent('ReplyPosted', reply(c.inquiryId));
    await h.waitFor(() => h.weibo.replies.find((r) => r.receiverId === uid), 'the one private reply');
    const comment = await h.waitFor(() => h.weibo.comments.find((x) => x.commentId === commentId), 'survey in the thread');
    expect(comment.statusId).toBe(statusId);
    expect(comment.comment).toContain(`编号 ${c.trackingNo} 的诉求：请评价办理结果`);
    expect(comment.comment).not.toContain(uid);
    expect(h.weibo.replies.filter((r) => r.receiverId === uid)).toHaveLength(1);
  });

  it('Weibo: with the window closed and no post to comment on, the delivery fails for good and says why', async () => {
    const c = received('weibo');
    await h.caseEvent('Received', c);
    await activity(c.citizen!, 'unfollow');
    await h.waitFor(async () => (await h.db.query(`SELECT 1 FROM notifier.citizen_windows WHERE external_user_id = $1`, [c.citizen!.externalUserId])).length, 'window');
    await h.caseEvent('Rejected', { inquiryId: c.inquiryId, at: now(), actor: 'desk-1', reason: '重复诉求' });
    const failed = await h.waitFor(() => h.eventsFor((e) => e.payload.inquiryId === c.inquiryId && e.type === 'DeliveryFailed')[0], 'final failure');
    expect(failed.payload).toMatchObject({ channel: 'weibo', final: true, error: 'weibo window closed and no post to comment on' });
    expect(h.weibo.replies.filter((r) => r.receiverId === c.citizen!.externalUserId)).toHaveLength(0);
  });

  it('Weibo: with no window on record yet, asks Weibo: sent where its window is open, given up where it answers closed', async () => {
    h.weibo.enforceWindows = true;
    try {
      const open = received('weibo');
      const closed = received('weibo');
      // The citizen wrote (Weibo opened the window), but the notifier has not recorded the activity.
      h.weibo.observe({ type: 'text', sender_id: open.citizen!.externalUserId });
      for (const c of [open, closed]) {
        await h.caseEvent('Received', c);
        await h.caseEvent('Rejected', { inquiryId: c.inquiryId, at: now(), actor: 'desk-1', reason: '重复诉求' });
      }
      await h.waitFor(() => h.weibo.replies.find((r) => r.receiverId === open.citizen!.externalUserId), 'the reply where the window is open');
      const failed = await h.waitFor(() => h.eventsFor((e) => e.payload.inquiryId === closed.inquiryId && e.type === 'DeliveryFailed')[0], 'final failure');
      expect(failed.payload).toMatchObject({ channel: 'weibo', final: true });
      expect((failed.payload as { error: string }).error).toBe('weibo 21605: reply window closed'); // Weibo's answer, not the notifier's guess
      expect(h.weibo.replies.filter((r) => r.receiverId === closed.citizen!.externalUserId)).toHaveLength(0);
    } finally {
      h.weibo.enforceWindows = false;
    }
  });

  it('app: the push gateway gets the reply; a desk question on channel.outbound.v1 keeps the router’s message id', async () => {
    const c = received('app');
    await h.caseEvent('Received', c);
    await h.caseEvent('ReplyPosted', reply(c.inquiryId));
    const note = await h.waitFor(() => pushed.find((p) => p.userId === c.citizen!.externalUserId), 'push');
    expect(note.title).toBe('榆林百姓问政：神木市水务局已答复');
    expect(note.body).toContain('已恢复供水');

    const messageId = newId();
    await h.producer.publish(TOPICS.channelOutbound, 'OutboundMessage', {
      messageId,
      inquiryId: c.inquiryId,
      citizen: c.citizen!,
      purpose: 'info_request',
      text: '请补充停水的具体小区名称和门牌号。',
    });
    await h.waitFor(() => pushed.find((p) => p.id === messageId), 'the desk question');
    const ok = await h.waitFor(() => h.eventsFor((e) => e.payload.messageId === messageId && e.type === 'DeliverySucceeded')[0], 'event');
    expect(ok.payload).toMatchObject({ channel: 'app', inquiryId: c.inquiryId });
  });
});
