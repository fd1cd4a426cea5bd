import { TOPICS, type EventOf } from '@app/common';
import { AccessTokenStore } from '@app/common/channel/access-token-store.js';
import { WechatStandIn } from '../support/wechat-stand-in.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { bootWechat, type BootedWechat } from './boot.js';
import { ACCOUNT_A, newOpenId, WechatClient } from './wechat-client.js';

type Submitted = EventOf<typeof TOPICS.inquirySubmitted>;

describe('drafts across time and restarts', () => {
  let stand: WechatStandIn;
  let submitted: TopicReader;
  let booted: BootedWechat | undefined;

  beforeAll(async () => {
    stand = new WechatStandIn([{ appId: ACCOUNT_A.appId, secret: ACCOUNT_A.appSecret }]);
    await stand.start();
    submitted = await new TopicReader(testKafka(), TOPICS.inquirySubmitted.name).start();
  });

  afterEach(async () => {
    await booted?.app.close();
    booted = undefined;
  });

  afterAll(async () => {
    await submitted.stop();
    await stand.stop();
  });

  const eventFor = (openId: string) => submitted.values<Submitted>().find((e) => e.payload.citizen.externalUserId === openId);

  it('submits a draft by itself after the quiet period', async () => {
    booted = await bootWechat(stand.baseUrl, { CONVERSATION_QUIET_SEC: '2' });
    const wx = new WechatClient(booted.app);
    const openId = newOpenId();
    await wx.push(wx.text(openId, '公园里的健身器材坏了好几件，老人孩子用着很危险'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(eventFor(openId)).toBeUndefined();
    const event = await waitFor(() => eventFor(openId), 'the quiet-period submission', 20000);
    expect(event.payload.trackingNo).toMatch(/^WX\d{8}-\d{6}$/);
    const text = String((await wx.push(wx.text(openId, '查询'))).reply?.Content);
    expect(text).toContain(event.payload.trackingNo);
  });

  it('keeps an open draft across a restart', async () => {
    booted = await bootWechat(stand.baseUrl);
    const openId = newOpenId();
    let wx = new WechatClient(booted.app);
    await wx.push(wx.text(openId, '问政'));
    await wx.push(wx.text(openId, '夜里施工噪音太大，凌晨两点还在打桩'));
    await booted.app.close();
    booted = await bootWechat(stand.baseUrl);
    wx = new WechatClient(booted.app);
    expect((await wx.push(wx.text(openId, '提交'))).reply?.Content).toContain('受理编号');
    const event = await waitFor(() => eventFor(openId), 'the inquiry after the restart');
    expect(event.payload.content).toBe('夜里施工噪音太大，凌晨两点还在打桩');
  });

  it('lets exactly one of several instances refresh an access token', async () => {
    booted = await bootWechat(stand.baseUrl);
    const stores = [0, 1, 2].map(() => new AccessTokenStore(booted!.db, 'test-vendor'));
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 200));
      return { token: `token-${fetches}`, expiresInSec: 7200 };
    };
    const tokens = await Promise.all(stores.flatMap((s) => [s.get('wxshared', fetch), s.get('wxshared', fetch)]));
    expect(fetches).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    // A rejected token is dropped once; the next caller fetches once more.
    await stores[0].invalidate('wxshared', 'token-1');
    await stores[1].invalidate('wxshared', 'token-1');
    expect(await stores[2].get('wxshared', fetch)).toBe('token-2');
    expect(fetches).toBe(2);
  });
});
