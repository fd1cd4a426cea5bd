import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WechatTokenError, type WechatAccessTokens } from '@app/common/channel/wechat-access-token.js';
import { CallNotStarted, VendorError, type WechatMessage, type WeiboMessage } from './sender.js';
import { WechatSender } from './wechat.sender.js';
import { WeiboSender } from './weibo.sender.js';

/** The order the at-most-once rule needs: everything the call needs first, then the recorded start, then the call. */
describe('senders without an idempotency key: the call start', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ errcode: 0, msgid: 1, idstr: '1' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (requests.length = 0));

  const tokens = (get: () => Promise<string>) => ({ get }) as unknown as WechatAccessTokens;
  const wechat = (get: () => Promise<string>) =>
    new WechatSender(tokens(get), { apiBase: base, appId: 'wx1', appSecret: 's', templateId: 'T', timeoutMs: 1000 });
  const wx: WechatMessage = {
    channel: 'wechat',
    openId: 'o1',
    text: '答复',
    link: 'https://x',
    template: { first: 'a', keyword1: 'b', keyword2: 'c', keyword3: 'd', remark: 'e' },
    mode: 'custom',
  };
  const wb: WeiboMessage = { channel: 'weibo', uid: '1', text: '答复', commentText: '评论', mode: 'message' };

  it('WeChat: a token that cannot be had fails before the start is recorded, so the message may be sent again', async () => {
    let started = 0;
    const failing = wechat(async () => {
      throw new WechatTokenError(-2, 'network');
    });
    await expect(failing.send(wx, { messageId: 'm1', callStarting: async () => void started++ })).rejects.toBeInstanceOf(VendorError);
    expect(started).toBe(0);
    expect(requests).toHaveLength(0);
  });

  it('WeChat: the start is recorded after the token and before the request; a lost claim makes no request', async () => {
    const order: string[] = [];
    const sender = wechat(async () => {
      order.push('token');
      return 'TOKEN';
    });
    await sender.send(wx, { messageId: 'm2', callStarting: async () => void order.push('start') });
    expect(order).toEqual(['token', 'start']);
    expect(requests).toHaveLength(1);

    const lost = async (): Promise<void> => {
      throw new CallNotStarted('claim no longer held');
    };
    await expect(sender.send(wx, { messageId: 'm3', callStarting: lost })).rejects.toBeInstanceOf(CallNotStarted);
    expect(requests).toHaveLength(1);
  });

  it('Weibo: the start is recorded before the request; a lost claim makes no request', async () => {
    const sender = new WeiboSender({ apiBase: base, messageApiBase: base, accessToken: 'T', timeoutMs: 1000 });
    let started = 0;
    await sender.send(wb, { messageId: 'm4', callStarting: async () => void started++ });
    expect(started).toBe(1);
    expect(requests).toHaveLength(1);
    await expect(
      sender.send(wb, {
        messageId: 'm5',
        callStarting: async () => {
          throw new CallNotStarted('claim no longer held');
        },
      }),
    ).rejects.toBeInstanceOf(CallNotStarted);
    expect(requests).toHaveLength(1);
  });
});
