import { EventProducer, TOPICS, type EventOf } from '@app/common';
import sharp from 'sharp';
import { WeiboStandIn } from '../support/weibo-stand-in.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { bootWeibo, type BootedWeibo } from './boot.js';
import { ACCOUNT, newUid, WeiboClient } from './weibo-client.js';

type Submitted = EventOf<typeof TOPICS.inquirySubmitted>;
type Interaction = EventOf<typeof TOPICS.inquiryInteraction>;

const jpeg = (n: number): Promise<Buffer> =>
  sharp({ create: { width: 16 + n, height: 12, channels: 3, background: { r: 10 * n, g: 80, b: 160 } } }).jpeg().toBuffer();

describe('the Weibo conversation, end to end (real broker, database and a Weibo stand-in)', () => {
  let stand: WeiboStandIn;
  let booted: BootedWeibo;
  let wb: WeiboClient;
  let submitted: TopicReader;
  let interactions: TopicReader;
  let producer: EventProducer;

  beforeAll(async () => {
    stand = await WeiboStandIn.start();
    booted = await bootWeibo(stand);
    wb = new WeiboClient(booted.app, stand);
    const kafka = testKafka();
    submitted = await new TopicReader(kafka, TOPICS.inquirySubmitted.name).start();
    interactions = await new TopicReader(kafka, TOPICS.inquiryInteraction.name).start();
    producer = new EventProducer(kafka, 'router');
  });

  afterAll(async () => {
    await Promise.all([submitted.stop(), interactions.stop(), producer.disconnect()]);
    await booted.app.close();
    await stand.close();
  });

  const eventsFor = (uid: string) => submitted.values<Submitted>().filter((e) => e.payload.citizen.externalUserId === uid);
  const interactionsFor = (uid: string) => interactions.values<Interaction>().filter((e) => e.payload.citizen.externalUserId === uid);
  const say = (uid: string, text: string) => wb.say(uid, text);

  it('turns follow, menu, text, photos, voice, position and 提交 into one inquiry with its media from msget', async () => {
    const uid = newUid();
    stand.addMedia('821804469', await jpeg(1));
    stand.addMedia('821804479', await jpeg(2));
    stand.addMedia('821804489', Buffer.from('#!AMR\n fake voice'), 'audio/amr');

    expect((await wb.push(wb.message(uid, 'event', { data: { subtype: 'follow' } }))).reply?.text).toContain('我要问政');
    expect((await wb.push(wb.message(uid, 'event', { data: { subtype: 'click', key: 'WZ_ASK' } }))).reply?.text).toContain('提交');
    expect(await say(uid, '榆阳区人民路和新建路交叉口的红绿灯坏了三天')).toContain('已补充文字');
    // Photos sent at once arrive concurrently; they must land in the same draft.
    const photos = await Promise.all(
      ['821804469', '821804479'].map((tovfid) => wb.push(wb.message(uid, 'image', { data: { vfid: 1, tovfid: Number(tovfid) } }))),
    );
    for (const p of photos) expect(p.reply?.text).toContain('照片');
    const voice = await wb.push(wb.message(uid, 'voice', { text: '发了一个语音消息', data: { vfid: 2, tovfid: 821804489 } }));
    expect(voice.reply?.text).toContain('语音');
    // A file the platform no longer has is given up, not waited for.
    await wb.push(wb.message(uid, 'image', { data: { vfid: 3, tovfid: 999 } }));
    const position = await wb.push(wb.message(uid, 'position', { text: '我在这里: http://t.cn/zQgLLYO', data: { longitude: '109.734', latitude: '38.285' } }));
    expect(position.reply?.text).toContain('已记录位置');

    const done = await say(uid, '提交');
    const trackingNo = /受理编号 (WB\d{8}-\d{6})/.exec(done)?.[1];
    expect(trackingNo).toBeDefined();
    expect(done).toContain('5个工作日');

    const [event] = await waitFor(() => (eventsFor(uid).length ? eventsFor(uid) : undefined), 'the submitted inquiry');
    expect(event.payload).toMatchObject({
      trackingNo,
      channel: 'weibo',
      citizen: { channel: 'weibo', externalUserId: uid, account: ACCOUNT.uid },
      location: { latitude: 38.285, longitude: 109.734 },
      publicOrigin: false,
    });
    expect(event.payload.weiboThread).toBeUndefined();
    expect(event.payload.content).toContain('红绿灯坏了三天');
    expect(event.payload.attachments.map((a) => a.kind).sort()).toEqual(['photo', 'photo', 'voice']);
    expect(stand.mediaRequests).toEqual(expect.arrayContaining(['821804469', '821804479', '821804489', '999']));
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsFor(uid)).toHaveLength(1);
    expect(interactionsFor(uid).some((e) => e.type === 'ChannelActivity')).toBe(true);
  });

  it('opens a draft from one long text, cancels with 取消, and explains short texts', async () => {
    const uid = newUid();
    expect(await say(uid, '你好')).toContain('问政');
    expect(await say(uid, '我家楼下的垃圾桶已经一个星期没人清理了，气味很大')).toContain('提交');
    expect(await say(uid, '取消')).toContain('已取消');
    expect(await say(uid, '提交')).toContain('没有正在填写');
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsFor(uid)).toHaveLength(0);
  });

  it('lists cases with 查询, adds information with 补充, and records a rating while a survey is pending', async () => {
    const uid = newUid();
    await say(uid, '投诉');
    await say(uid, '某某餐馆油烟直排，居民窗户都是油');
    const trackingNo = /受理编号 (WB\d{8}-\d{6})/.exec(await say(uid, '提交'))![1];
    const [event] = await waitFor(() => (eventsFor(uid).length ? eventsFor(uid) : undefined), 'the inquiry');
    expect(event.payload.typeHint).toBe('投诉');
    const inquiryId = event.payload.inquiryId;
    expect(await say(uid, '查询')).toContain(`${trackingNo}【已提交】`);
    expect(await say(uid, '补充 每天晚上六点最严重')).toContain(trackingNo);

    const now = new Date().toISOString();
    await producer.publish(TOPICS.caseEvents, 'Received', { inquiryId, at: now, actor: 'system', channel: 'weibo', content: 'x', receivedAt: now });
    await producer.publish(TOPICS.caseEvents, 'ReplyPosted', {
      inquiryId, at: now, actor: 'u1', unitId: 'u1', unitName: '市生态环境局', text: '已责令整改', attachments: [], onTime: true,
    });
    await waitFor(async () => (await say(uid, '查询')).includes('已答复'), 'the replied status');
    expect(await say(uid, '1')).toContain('满意');
    const found = await waitFor(() => {
      const list = interactionsFor(uid);
      return list.some((e) => e.type === 'RatingGiven') && list.some((e) => e.type === 'InformationAdded') ? list : undefined;
    }, 'the rating and the added information');
    expect(found.find((e) => e.type === 'RatingGiven')?.payload).toMatchObject({ inquiryId, rating: '满意' });
    expect(found.find((e) => e.type === 'InformationAdded')?.payload).toMatchObject({ inquiryId, text: '每天晚上六点最严重' });
  });

  it('retries a failing msget in the background without delaying the answer', async () => {
    const uid = newUid();
    stand.addMedia('821805000', await jpeg(3));
    stand.failNext('msget', 10001, 'system error');
    stand.failNext('msget', 21327, 'expired_token');
    await say(uid, '桥下积水很深，车辆无法通行，请尽快处理');
    const started = Date.now();
    const photo = await wb.push(wb.message(uid, 'image', { data: { vfid: 1, tovfid: 821805000 } }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(photo.reply?.text).toContain('照片');
    await say(uid, '提交');
    const [event] = await waitFor(() => (eventsFor(uid).length ? eventsFor(uid) : undefined), 'the inquiry with the retried photo');
    expect(event.payload.attachments).toHaveLength(1);
    expect(stand.mediaRequests.filter((f) => f === '821805000')).toHaveLength(3);
  });
});
