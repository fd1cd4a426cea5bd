import { EventProducer, newId, TOPICS, type EventOf } from '@app/common';
import type { InboundMessage } from '@app/common/channel/inbound-message.js';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import { WechatStandIn } from '../support/wechat-stand-in.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { bootWechat, type BootedWechat } from './boot.js';
import { ACCOUNT_A, newOpenId, nextMsgId, WechatClient } from './wechat-client.js';

type Submitted = EventOf<typeof TOPICS.inquirySubmitted>;
type Interaction = EventOf<typeof TOPICS.inquiryInteraction>;

import sharp from 'sharp';

const jpeg = (n: number): Promise<Buffer> =>
  sharp({ create: { width: 16 + n, height: 12, channels: 3, background: { r: 10 * n, g: 80, b: 160 } } }).jpeg().toBuffer();
/** The smallest thing the pipeline's sniffer takes for an MP4: an `ftyp` box with the isom brand. */
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(4), Buffer.from('isomiso2'), Buffer.alloc(64, 1)]);

describe('the WeChat conversation, end to end (real broker, database and a WeChat stand-in)', () => {
  let stand: WechatStandIn;
  let booted: BootedWechat;
  let wx: WechatClient;
  let submitted: TopicReader;
  let interactions: TopicReader;
  let producer: EventProducer;

  beforeAll(async () => {
    stand = new WechatStandIn([{ appId: ACCOUNT_A.appId, secret: ACCOUNT_A.appSecret }]);
    booted = await bootWechat(await stand.start());
    wx = new WechatClient(booted.app, ACCOUNT_A, 'safe');
    const kafka = testKafka();
    submitted = await new TopicReader(kafka, TOPICS.inquirySubmitted.name).start();
    interactions = await new TopicReader(kafka, TOPICS.inquiryInteraction.name).start();
    producer = new EventProducer(kafka, 'router');
  });

  afterAll(async () => {
    await Promise.all([submitted.stop(), interactions.stop(), producer.disconnect()]);
    await booted.app.close();
    await stand.stop();
  });

  const say = async (openId: string, text: string): Promise<string> => String((await wx.push(wx.text(openId, text))).reply?.Content ?? '');
  const eventsFor = (openId: string) => submitted.values<Submitted>().filter((e) => e.payload.citizen.externalUserId === openId);
  const interactionsFor = (openId: string) =>
    interactions.values<Interaction>().filter((e) => e.payload.citizen.externalUserId === openId);

  it('turns follow, menu, text, photos, location and 提交 into one inquiry with every attachment', async () => {
    const openId = newOpenId();
    stand.addMedia(ACCOUNT_A.appId, 'media-1', await jpeg(1));
    stand.addMedia(ACCOUNT_A.appId, 'media-2', await jpeg(2));
    stand.addMedia(ACCOUNT_A.appId, 'video-1', MP4, 'video/mp4', true);
    stand.addMedia(ACCOUNT_A.appId, 'voice-1', Buffer.from('#!AMR\n fake voice'), 'audio/amr');

    const welcome = await wx.push(wx.message(openId, { MsgType: 'event', Event: 'subscribe' }));
    expect(welcome.reply?.Content).toContain('我要问政');
    const opened = await wx.push(wx.message(openId, { MsgType: 'event', Event: 'CLICK', EventKey: 'WZ_ASK' }));
    expect(opened.reply?.Content).toContain('提交');
    expect(await say(openId, '榆阳区人民路和新建路交叉口的红绿灯坏了三天')).toContain('已补充文字');
    // Photos sent at once arrive concurrently; they must land in the same draft.
    const photos = await Promise.all(
      ['media-1', 'media-2'].map((id) => wx.push(wx.message(openId, { MsgType: 'image', PicUrl: 'http://x/y.jpg', MediaId: id, MsgId: nextMsgId() }))),
    );
    for (const p of photos) expect(p.reply?.Content).toContain('照片');
    const video = await wx.push(wx.message(openId, { MsgType: 'video', MediaId: 'video-1', ThumbMediaId: 't', MsgId: nextMsgId() }));
    expect(video.reply?.Content).toContain('视频');
    const voice = await wx.push(
      wx.message(openId, { MsgType: 'voice', MediaId: 'voice-1', Format: 'amr', Recognition: '早晚高峰很堵', MsgId: nextMsgId() }),
    );
    expect(voice.reply?.Content).toContain('语音');
    // A photo WeChat no longer has (40007, media ids live 3 days) is given up, not waited for.
    await wx.push(wx.message(openId, { MsgType: 'image', PicUrl: 'http://x', MediaId: 'expired-media', MsgId: nextMsgId() }));
    const located = await wx.push(
      wx.message(openId, { MsgType: 'location', Location_X: '38.285', Location_Y: '109.734', Scale: '15', Label: '陕西省榆林市榆阳区人民路', MsgId: nextMsgId() }),
    );
    expect(located.reply?.Content).toContain('人民路');

    const done = await say(openId, '提交');
    const trackingNo = /受理编号 (WX\d{8}-\d{6})/.exec(done)?.[1];
    expect(trackingNo).toBeDefined();
    expect(done).toContain('2小时');
    expect(done).toContain('5个工作日');

    const [event] = await waitFor(() => (eventsFor(openId).length ? eventsFor(openId) : undefined), 'the submitted inquiry', 30000);
    const p = event.payload;
    expect(p).toMatchObject({
      trackingNo,
      channel: 'wechat',
      citizen: { channel: 'wechat', externalUserId: openId, account: ACCOUNT_A.appId },
      location: { latitude: 38.285, longitude: 109.734, address: '陕西省榆林市榆阳区人民路' },
      anonymous: true,
    });
    expect(p.content).toContain('红绿灯坏了三天');
    expect(p.content).toContain('早晚高峰很堵');
    expect(p.attachments.map((a) => a.kind).sort()).toEqual(['photo', 'photo', 'video', 'voice']);
    expect(p.attachments.filter((a) => a.kind === 'photo').every((a) => a.thumbnailKey && a.contentType === 'image/jpeg')).toBe(true);
    expect(p.attachments.every((a) => /^[0-9a-f]{64}$/.test(a.sha256 ?? ''))).toBe(true);
    expect(p.vendorMessageIds.every((id) => /^\d+$/.test(id))).toBe(true);
    expect(p.vendorMessageIds.length).toBe(7);

    await new Promise((r) => setTimeout(r, 500));
    expect(eventsFor(openId)).toHaveLength(1);
    expect(interactionsFor(openId).some((e) => e.type === 'ChannelActivity')).toBe(true);
  });

  it("reports a citizen's activity once per throttle window, shared by instances through the database", async () => {
    const openId = newOpenId();
    const activities = () => interactionsFor(openId).filter((e) => e.type === 'ChannelActivity');
    // A second instance knows nothing of the first one's recent reports and throttles by 3 s.
    const other = await bootWechat(stand.baseUrl, { CHANNEL_ACTIVITY_THROTTLE_SEC: '3' });
    try {
      const otherWx = new WechatClient(other.app, ACCOUNT_A, 'plain');
      await say(openId, '你好');
      await say(openId, '帮助');
      expect(String((await otherWx.push(otherWx.text(openId, '你好'))).reply?.Content)).toContain('问政');
      await waitFor(() => activities().length === 1, 'the first activity report');
      await new Promise((r) => setTimeout(r, 3200));
      expect(activities()).toHaveLength(1);
      // The window has passed: the next message is reported again; a follow is reported whatever the throttle.
      await otherWx.push(otherWx.text(openId, '你好'));
      await otherWx.push(otherWx.message(openId, { MsgType: 'event', Event: 'subscribe' }));
      await waitFor(() => activities().length === 3, 'the reports after the window and for the follow');
      await new Promise((r) => setTimeout(r, 500));
      expect(activities()).toHaveLength(3);
    } finally {
      await other.app.close();
    }
  });

  it('opens a draft from one long text, cancels with 取消, and explains short texts', async () => {
    const openId = newOpenId();
    expect(await say(openId, '你好')).toContain('问政');
    expect(await say(openId, '我家楼下的垃圾桶已经一个星期没人清理了，气味很大')).toContain('提交');
    expect(await say(openId, '取消')).toContain('已取消');
    expect(await say(openId, '提交')).toContain('没有正在填写');
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsFor(openId)).toHaveLength(0);
  });

  it('lists cases with 查询, adds information with 补充, answers a desk question, and records a rating while a survey is pending', async () => {
    const openId = newOpenId();
    await say(openId, '投诉');
    await say(openId, '某某餐馆油烟直排，居民窗户都是油');
    const trackingNo = /受理编号 (WX\d{8}-\d{6})/.exec(await say(openId, '提交'))![1];
    const [event] = await waitFor(() => (eventsFor(openId).length ? eventsFor(openId) : undefined), 'the inquiry');
    expect(event.payload.typeHint).toBe('投诉');
    const inquiryId = event.payload.inquiryId;

    expect(await say(openId, '查询')).toContain(`${trackingNo}【已提交】`);
    expect(await say(openId, '补充 每天晚上六点最严重')).toContain(trackingNo);

    // The router's case events move the status, ask a question, and open the satisfaction survey.
    const now = new Date().toISOString();
    await producer.publish(TOPICS.caseEvents, 'Received', { inquiryId, at: now, actor: 'system', channel: 'wechat', content: 'x', receivedAt: now });
    await producer.publish(TOPICS.caseEvents, 'InfoRequested', { inquiryId, at: now, actor: 'desk1', question: '请问餐馆的具体门牌号？' });
    await waitFor(
      async () => (await booted.db.query('SELECT info_requested FROM ingest_wechat.conv_cases WHERE inquiry_id = $1', [inquiryId]))[0]?.info_requested,
      'the question to reach the conversation',
    );
    expect(await say(openId, '人民路88号')).toContain(`转给问题 ${trackingNo}`);
    await producer.publish(TOPICS.caseEvents, 'ReplyPosted', {
      inquiryId, at: now, actor: 'u1', unitId: 'u1', unitName: '市生态环境局', text: '已责令整改', attachments: [], onTime: true,
    });
    await waitFor(async () => (await say(openId, '查询')).includes('已答复'), 'the replied status', 30000);
    expect(await say(openId, '2')).toContain('基本满意');
    expect(await say(openId, '2')).not.toContain('评价'); // survey answered: "2" is just text again

    const found = await waitFor(() => {
      const list = interactionsFor(openId);
      return list.some((e) => e.type === 'RatingGiven') && list.filter((e) => e.type === 'InformationAdded').length >= 2 ? list : undefined;
    }, 'the rating and the added information');
    expect(found.find((e) => e.type === 'RatingGiven')?.payload).toMatchObject({ inquiryId, rating: '基本满意' });
    const added = found.filter((e) => e.type === 'InformationAdded').map((e) => e.payload);
    expect(added).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ inquiryId, text: '每天晚上六点最严重' }),
        expect.objectContaining({ inquiryId, text: '人民路88号' }),
      ]),
    );
  });

  it('records only the case events that move the status of a case of its own; other channels\' cases and other steps cost no transaction', async () => {
    const openId = newOpenId();
    await say(openId, '某某小区门口的路灯坏了一个多月了，晚上出行很不方便');
    await say(openId, '提交');
    const [submitted] = await waitFor(() => (eventsFor(openId).length ? eventsFor(openId) : undefined), 'the inquiry');
    const inquiryId = submitted.payload.inquiryId;
    const now = new Date().toISOString();
    const classified = await producer.publish(TOPICS.caseEvents, 'Classified', {
      inquiryId, at: now, actor: 'system', category: '城市管理', confidence: 0.9, inquiryType: '投诉',
    });
    const unit = { unitId: 'u1', unitName: '市城管局', onTime: true };
    const foreign = await producer.publish(TOPICS.caseEvents, 'Accepted', { inquiryId: newId(), at: now, actor: 'u1', ...unit });
    const accepted = await producer.publish(TOPICS.caseEvents, 'Accepted', { inquiryId, at: now, actor: 'u1', ...unit });
    await waitFor(
      async () => (await booted.db.query('SELECT status FROM ingest_wechat.conv_cases WHERE inquiry_id = $1', [inquiryId]))[0]?.status === 'accepted',
      'the accepted status',
    );
    const recorded = await booted.db.query('SELECT message_id FROM ingest_wechat.processed_messages WHERE message_id = ANY($1)', [
      [classified.id, foreign.id, accepted.id],
    ]);
    expect(recorded.map((r: { message_id: string }) => r.message_id)).toEqual([accepted.id]);
  });

  it('keeps each citizen\'s conversation apart and in order when many talk at once (pushes committed together)', async () => {
    const citizens = Array.from({ length: 12 }, () => newOpenId());
    const replies = await Promise.all(
      citizens.map(async (openId, n) => [
        await say(openId, `第${n}号市民反映：小区门口的路灯坏了一个多月，晚上很黑`),
        await say(openId, `第${n}号补充：在东门`),
        await say(openId, '提交'),
      ]),
    );
    for (const [opened, added, done] of replies) {
      expect(opened).toContain('提交');
      expect(added).toContain('已补充文字');
      expect(done).toMatch(/受理编号 WX\d{8}-\d{6}/);
    }
    const events = await waitFor(() => {
      const all = citizens.map((openId) => eventsFor(openId));
      return all.every((list) => list.length === 1) ? all.map(([e]) => e) : undefined;
    }, 'one inquiry per citizen');
    events.forEach((event, n) => {
      expect(event.payload.content).toMatch(new RegExp(`第${n}号市民反映.*第${n}号补充`, 's'));
      expect(event.payload.content).not.toMatch(new RegExp(`第(?!${n}号)\\d+号`));
    });
  });

  it('submits from the draft read with the batch, or reads it again when the citizen said more earlier in the same batch', async () => {
    const conversation = booted.app.get(ConversationService);
    const message = (userId: string, n: number, text: string): InboundMessage => ({
      channel: 'wechat',
      account: ACCOUNT_A.appId,
      userId,
      dedupKey: `batch-${userId}-${n}`,
      vendorMessageId: nextMsgId(),
      sentAt: new Date(),
      body: { kind: 'text', text },
    });
    const first = newOpenId();
    const second = newOpenId();
    await say(first, '榆阳区人民路的路灯坏了一个多月，晚上很黑，请尽快修复');
    await say(second, '榆阳区新建路的井盖松动了，车开过去响声很大，很危险');
    // One transaction, as a push batch: `first` submits with its first message here (read ahead with BEGIN);
    // `second` adds a text before its 提交, so the submit reads the draft again and sees the addition.
    const batch = [message(first, 1, '提交'), message(second, 1, '井盖在新建路口的东侧'), message(second, 2, '提交')];
    const outcomes = await conversation.inCitizensTransaction(booted.db, batch, [], (m, _rows, snapshots) => conversation.handleAll(m, batch, snapshots));
    const numbers = [outcomes[0].reply, outcomes[2].reply].map((reply) => /受理编号 (WX\d{8}-\d{6})/.exec(reply ?? '')?.[1]);
    expect(numbers.every(Boolean)).toBe(true);
    expect(new Set(numbers).size).toBe(2);
    const [a, b] = await waitFor(() => {
      const found = [eventsFor(first), eventsFor(second)];
      return found.every((list) => list.length === 1) ? found.map(([e]) => e) : undefined;
    }, 'both inquiries');
    expect(a.payload.trackingNo).toBe(numbers[0]);
    expect(b.payload.trackingNo).toBe(numbers[1]);
    expect(b.payload.content).toContain('井盖在新建路口的东侧');
    expect(await say(first, '查询')).toContain(`${numbers[0]}【已提交】`);
  });

  it('takes at most 20 attachments into one draft', async () => {
    const openId = newOpenId();
    await say(openId, '问政');
    const photo = () => wx.push(wx.message(openId, { MsgType: 'image', PicUrl: 'http://x', MediaId: `gone-${nextMsgId()}`, MsgId: nextMsgId() }));
    for (let i = 0; i < 20; i++) expect((await photo()).reply?.Content).toContain('已收到照片');
    expect((await photo()).reply?.Content).toContain('最多20个附件');
  });

  it('retries a failing download in the background and refreshes an expired token once', async () => {
    const openId = newOpenId();
    stand.addMedia(ACCOUNT_A.appId, 'media-retry', await jpeg(3));
    stand.failNext('/cgi-bin/media/get', -1, 2);
    await say(openId, '桥下积水很深，车辆无法通行，请尽快处理');
    stand.expireToken(ACCOUNT_A.appId);
    const before = stand.tokenFetches.get(ACCOUNT_A.appId) ?? 0;
    const started = Date.now();
    const photo = await wx.push(wx.message(openId, { MsgType: 'image', PicUrl: 'http://x', MediaId: 'media-retry', MsgId: nextMsgId() }));
    expect(Date.now() - started).toBeLessThan(1000); // the answer never waits for the download
    expect(photo.reply?.Content).toContain('照片');
    await say(openId, '提交');
    const [event] = await waitFor(() => (eventsFor(openId).length ? eventsFor(openId) : undefined), 'the inquiry with the retried photo', 30000);
    expect(event.payload.attachments).toHaveLength(1);
    expect(stand.tokenFetches.get(ACCOUNT_A.appId)).toBe(before + 1);
  });
});
