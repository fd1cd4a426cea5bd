import { TOPICS, type EventOf } from '@app/common';
import { MentionPoller } from '../../apps/ingest-weibo/src/mentions/mention.poller.js';
import { WeiboStandIn } from '../support/weibo-stand-in.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { bootWeibo, type BootedWeibo } from './boot.js';
import { ACCOUNT, newUid, WeiboClient } from './weibo-client.js';

type Submitted = EventOf<typeof TOPICS.inquirySubmitted>;
type Interaction = EventOf<typeof TOPICS.inquiryInteraction>;

describe('public @mentions: polled and pushed (real broker, database and a Weibo stand-in)', () => {
  let stand: WeiboStandIn;
  let booted: BootedWeibo | undefined;
  let submitted: TopicReader;
  let interactions: TopicReader;

  beforeAll(async () => {
    stand = await WeiboStandIn.start();
    const kafka = testKafka();
    submitted = await new TopicReader(kafka, TOPICS.inquirySubmitted.name).start();
    interactions = await new TopicReader(kafka, TOPICS.inquiryInteraction.name).start();
  });

  afterEach(async () => {
    await booted?.app.close();
    booted = undefined;
  });

  afterAll(async () => {
    await Promise.all([submitted.stop(), interactions.stop()]);
    await stand.close();
  });

  const eventsFor = (uid: string) => submitted.values<Submitted>().filter((e) => e.payload.citizen.externalUserId === uid);
  const poll = () => booted!.app.get(MentionPoller).pollOnce();
  const cursor = async (source: string): Promise<string | undefined> =>
    (await booted!.db.query(`SELECT since_id FROM ingest_weibo.weibo_mention_cursors WHERE account = $1 AND source = $2`, [ACCOUNT.uid, source]))[0]
      ?.since_id;

  it('makes one public-origin inquiry of a mention found by two polls, its text the post', async () => {
    booted = await bootWeibo(stand);
    const uid = newUid();
    const post = '@榆林发布 榆阳区金沙路的井盖丢了好几天，晚上很危险，请有关部门处理';
    const statusId = stand.addStatusMention(uid, post);
    expect(BigInt(statusId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    await poll();
    await poll();
    // Found again from the start, as a second instance with a lagging cursor would: still one inquiry.
    await booted.db.query(`DELETE FROM ingest_weibo.weibo_mention_cursors`);
    await poll();
    const [event] = await waitFor(() => (eventsFor(uid).length ? eventsFor(uid) : undefined), 'the mention inquiry');
    expect(event.payload).toMatchObject({
      channel: 'weibo',
      citizen: { channel: 'weibo', externalUserId: uid, account: ACCOUNT.uid },
      content: post,
      publicOrigin: true,
      weiboThread: { statusId },
      vendorMessageIds: [statusId],
    });
    expect(event.payload.trackingNo).toMatch(/^WB\d{8}-\d{6}$/);
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsFor(uid)).toHaveLength(1);
    const activity = interactions.values<Interaction>().filter((e) => e.payload.citizen.externalUserId === uid && e.type === 'ChannelActivity');
    expect(activity.map((e) => (e.payload as { kind?: string }).kind)).toEqual(['mention']);
    expect(await cursor('status')).toBe(statusId);
    expect(stand.sinceIds.status.at(-1)).toBe('');
  });

  it('takes a comment mention with its post and comment ids, and ignores the account’s own posts', async () => {
    booted = await bootWeibo(stand);
    const uid = newUid();
    const commentId = stand.addCommentMention(uid, '@榆林发布 这条路的路灯也坏了', '4991234567890123456');
    stand.addStatusMention(ACCOUNT.uid, '@榆林发布 本账号转发的通知');
    await poll();
    const [event] = await waitFor(() => (eventsFor(uid).length ? eventsFor(uid) : undefined), 'the comment inquiry');
    expect(event.payload).toMatchObject({ publicOrigin: true, weiboThread: { statusId: '4991234567890123456', commentId } });
    expect(eventsFor(ACCOUNT.uid)).toHaveLength(0);
  });

  it('makes one inquiry of a mention that is pushed and also found by polling', async () => {
    booted = await bootWeibo(stand);
    const wb = new WeiboClient(booted.app, stand);
    const uid = newUid();
    const post = '@榆林发布 东沙新区的公交站牌被撞倒了，一直没人修';
    const statusId = stand.addStatusMention(uid, post);
    const pushed = await wb.push(wb.message(uid, 'mention', { text: post, data: { subtype: 'status', key: statusId } }));
    expect(pushed.res.status).toBe(200);
    expect(pushed.res.text).toBe(''); // the one reply a mention allows is kept for the answer
    await poll();
    await waitFor(() => eventsFor(uid).length > 0, 'the mention inquiry');
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsFor(uid)).toHaveLength(1);
  });

  it('keeps the cursor across a restart: the next instance asks only for what is newer', async () => {
    booted = await bootWeibo(stand);
    const first = newUid();
    const firstId = stand.addStatusMention(first, '@榆林发布 老城区的下水道堵了，污水漫到路面上了');
    await poll();
    await waitFor(() => eventsFor(first).length > 0, 'the first mention');
    await booted.app.close();

    const second = newUid();
    const secondId = stand.addStatusMention(second, '@榆林发布 学校门口早上堵车严重，希望增加交警疏导');
    booted = await bootWeibo(stand);
    expect(await cursor('status')).toBe(firstId);
    await poll();
    await waitFor(() => eventsFor(second).length > 0, 'the second mention');
    expect(stand.sinceIds.status.at(-1)).toBe(firstId);
    expect(await cursor('status')).toBe(secondId);
    expect(eventsFor(first)).toHaveLength(1);
  });

  it('polls on its interval and stops cleanly on shutdown', async () => {
    booted = await bootWeibo(stand, { MENTION_POLL_MS: '100' });
    const uid = newUid();
    stand.addStatusMention(uid, '@榆林发布 滨河公园的健身器材坏了，有安全隐患');
    await waitFor(() => eventsFor(uid).length > 0, 'the mention found by the timer');
    const started = Date.now();
    await booted.app.close();
    booted = undefined;
    expect(Date.now() - started).toBeLessThan(5000);
    const reads = stand.mentionReads.status;
    await new Promise((r) => setTimeout(r, 400));
    expect(stand.mentionReads.status).toBe(reads);
  });
});
