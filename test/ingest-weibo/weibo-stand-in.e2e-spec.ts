import { WeiboStandIn } from '../support/weibo-stand-in.js';

/** The stand-in's own rules, so tests that rely on it rely on the reference's behaviour. */
describe(WeiboStandIn.name, () => {
  let stand: WeiboStandIn;
  let clock = Date.now();

  beforeAll(async () => {
    stand = await WeiboStandIn.start('tok');
    stand.enforceWindows = true;
    stand.now = () => clock;
  });
  afterAll(() => stand.close());

  const reply = (receiverId: string, text = '您好', token = 'tok') =>
    fetch(`${stand.url}/2/messages/reply.json?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ receiver_id: receiverId, type: 'text', data: encodeURIComponent(JSON.stringify({ text })), save_sender_box: '1' }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('allows replies for 48 hours after a message, and none after an unfollow', async () => {
    stand.observe({ type: 'text', sender_id: 11 });
    expect((await reply('11')).status).toBe(200);
    clock += 47 * 3600_000;
    expect((await reply('11')).status).toBe(200);
    clock += 2 * 3600_000;
    expect((await reply('11')).body).toMatchObject({ error_code: 21605, request: '/2/messages/reply.json' });
    stand.observe({ type: 'event', sender_id: 11, data: { subtype: 'click', key: 'K' } });
    expect((await reply('11')).status).toBe(200);
    stand.observe({ type: 'event', sender_id: 11, data: { subtype: 'unfollow' } });
    expect((await reply('11')).status).toBe(400);
  });

  it('allows exactly one reply after a mention', async () => {
    stand.addStatusMention('12', '@榆林发布 路灯坏了');
    expect((await reply('12')).status).toBe(200);
    expect((await reply('12')).status).toBe(400);
  });

  it('answers errors in the platform format, and refuses texts of 300 characters', async () => {
    expect((await reply('11', 'x', 'bad')).body).toEqual({ error: 'invalid_access_token', error_code: 21332, request: '/2/messages/reply.json' });
    stand.observe({ type: 'text', sender_id: 13 });
    expect((await reply('13', '问'.repeat(300))).body).toMatchObject({ error_code: 10008 });
  });

  it('serves media and mentions with 64-bit ids as bare numbers', async () => {
    stand.addMedia('77', Buffer.from('abc'), 'image/png');
    const file = await fetch(`${stand.url}/2/mss/msget?access_token=tok&fid=77`);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('abc');
    expect(((await (await fetch(`${stand.url}/2/mss/msget?access_token=tok&fid=78`)).json()) as { error_code: number }).error_code).toBe(21601);
    const id = stand.addCommentMention('14', '@榆林发布 评论', '4990000000000000001');
    const text = await (await fetch(`${stand.url}/2/comments/mentions.json?access_token=tok&count=200`)).text();
    expect(text).toContain(`"id":${id},"idstr":"${id}"`);
    expect(text).toContain('"status":{"id":4990000000000000001');
  });
});
