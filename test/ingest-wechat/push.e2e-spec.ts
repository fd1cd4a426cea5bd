import request from 'supertest';
import { WechatStandIn } from '../support/wechat-stand-in.js';
import { wechatSignature } from '../../apps/ingest-wechat/src/push/wechat-crypto.js';
import { bootWechat, type BootedWechat } from './boot.js';
import { ACCOUNT_A, ACCOUNT_B, newOpenId, nextMsgId, WechatClient } from './wechat-client.js';

describe('WeChat push endpoint (real PostgreSQL and broker)', () => {
  let stand: WechatStandIn;
  let booted: BootedWechat;
  let plain: WechatClient;

  const inboundCount = async (): Promise<number> =>
    (await booted.db.query('SELECT count(*)::int AS n FROM ingest_wechat.wechat_inbound'))[0].n;

  beforeAll(async () => {
    stand = new WechatStandIn([{ appId: ACCOUNT_A.appId, secret: ACCOUNT_A.appSecret }]);
    booted = await bootWechat(await stand.start());
    plain = new WechatClient(booted.app);
  });

  afterAll(async () => {
    await booted.app.close();
    await stand.stop();
  });

  describe('URL verification', () => {
    const signed = (token: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      return { timestamp, nonce: '42', signature: wechatSignature(token, timestamp, '42'), echostr: 'echo-1234' };
    };

    it('answers the raw echostr as text/plain when the signature is right', async () => {
      const res = await request(booted.app.getHttpServer()).get(`/wechat/${ACCOUNT_A.appId}`).query(signed(ACCOUNT_A.token)).expect(200);
      expect(res.text).toBe('echo-1234');
      expect(res.headers['content-type']).toContain('text/plain');
    });

    it('refuses a wrong signature with 401 and an unknown account with 404', async () => {
      await request(booted.app.getHttpServer()).get(`/wechat/${ACCOUNT_A.appId}`).query(signed('wrongtoken')).expect(401);
      await request(booted.app.getHttpServer()).get('/wechat/wxunknown0000').query(signed(ACCOUNT_A.token)).expect(404);
    });
  });

  it('answers a plain text push with a passive reply, ids swapped', async () => {
    const openId = newOpenId();
    const { res, reply } = await plain.push(plain.text(openId, '问政'));
    expect(res.status).toBe(200);
    expect(reply).toMatchObject({ ToUserName: openId, FromUserName: ACCOUNT_A.originalId, MsgType: 'text' });
    expect(reply?.Content).toContain('提交');
  });

  it.each(['safe', 'compatible'] as const)('answers a %s-mode push encrypted, and the answer decrypts and verifies', async (mode) => {
    const client = new WechatClient(booted.app, ACCOUNT_A, mode);
    const openId = newOpenId();
    const { res, reply } = await client.push(client.text(openId, '问政'));
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Encrypt>');
    expect(reply).toMatchObject({ encrypted: 'yes', ToUserName: openId, MsgType: 'text' });
  });

  it('answers an account without EncodingAESKey in plain mode', async () => {
    const client = new WechatClient(booted.app, ACCOUNT_B);
    const { res, reply } = await client.push(client.text(newOpenId(), '查询'));
    expect(res.status).toBe(200);
    expect(reply?.Content).toContain('还没有提交过');
  });

  it('records a push repeated four times (also concurrently) once and gives the same answer', async () => {
    const openId = newOpenId();
    const fields = plain.text(openId, '小区门口的路灯坏了两个星期，晚上走路很不安全，希望尽快修好');
    const answers = await Promise.all([1, 2, 3, 4].map(() => plain.push(fields)));
    expect(new Set(answers.map((a) => a.reply?.Content)).size).toBe(1);
    const drafts = await booted.db.query(
      `SELECT d.id, count(i.id)::int AS items FROM ingest_wechat.conv_drafts d JOIN ingest_wechat.conv_draft_items i ON i.draft_id = d.id
        WHERE d.user_id = $1 GROUP BY d.id`,
      [openId],
    );
    expect(drafts).toEqual([{ id: expect.any(String), items: 1 }]);
    const activity = await booted.db.query(
      `SELECT count(*)::int AS n FROM ingest_wechat.outbox WHERE event_type = 'ChannelActivity' AND envelope LIKE $1`,
      [`%${openId}%`],
    );
    expect(activity[0].n).toBe(1);
  });

  it('records a push once when its retries reach two instances at the same time', async () => {
    const other = await bootWechat(stand.baseUrl);
    try {
      const openId = newOpenId();
      const fields = plain.text(openId, '问政');
      const answers = await Promise.all([plain, new WechatClient(other.app), plain, new WechatClient(other.app)].map((c) => c.push(fields)));
      expect(answers.map((a) => a.res.status)).toEqual([200, 200, 200, 200]);
      expect(new Set(answers.map((a) => a.reply?.Content)).size).toBe(1);
      const drafts = await booted.db.query('SELECT count(*)::int AS n FROM ingest_wechat.conv_drafts WHERE user_id = $1', [openId]);
      expect(drafts[0].n).toBe(1);
    } finally {
      await other.app.close();
    }
  });

  it('de-duplicates events by FromUserName + CreateTime + Event', async () => {
    const openId = newOpenId();
    const follow = plain.message(openId, { MsgType: 'event', Event: 'subscribe' });
    const first = await plain.push(follow);
    const again = await plain.push(follow);
    expect(first.reply?.Content).toContain('欢迎关注');
    expect(again.reply?.Content).toBe(first.reply?.Content);
    const rows = await booted.db.query('SELECT dedup_key FROM ingest_wechat.wechat_inbound WHERE dedup_key LIKE $1', [`${openId}%`]);
    expect(rows).toEqual([{ dedup_key: `${openId}:${follow.CreateTime}:subscribe` }]);
  });

  it('answers unknown message types with success and stores nothing', async () => {
    const before = await inboundCount();
    const { res } = await plain.push(plain.message(newOpenId(), { MsgType: 'miniprogrampage', MsgId: nextMsgId() }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('success');
    expect(await inboundCount()).toBe(before);
  });

  describe('hostile input leaves nothing behind', () => {
    it('refuses a wrong signature with 401', async () => {
      const before = await inboundCount();
      const { res } = await plain.push(plain.text(newOpenId(), '问政'), { query: { signature: 'a'.repeat(40) } });
      expect(res.status).toBe(401);
      expect(await inboundCount()).toBe(before);
    });

    it('refuses a wrong msg_signature in safe mode with 401', async () => {
      const client = new WechatClient(booted.app, ACCOUNT_A, 'safe');
      const { res } = await client.push(client.text(newOpenId(), '问政'), { query: { msg_signature: 'b'.repeat(40) } });
      expect(res.status).toBe(401);
    });

    it('refuses a timestamp outside the window with 401', async () => {
      const timestamp = String(Math.floor(Date.now() / 1000) - 3600);
      const res = await request(booted.app.getHttpServer())
        .post(`/wechat/${ACCOUNT_A.appId}`)
        .query({ timestamp, nonce: '1', signature: wechatSignature(ACCOUNT_A.token, timestamp, '1') })
        .set('Content-Type', 'text/xml')
        .send('<xml></xml>');
      expect(res.status).toBe(401);
    });

    it.each([
      ['XXE', '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>'],
      ['billion laughs', `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><xml><Content>&lol9;</Content></xml>`],
      ['not XML', 'hello'],
    ])('refuses %s with 400', async (_what, body) => {
      const before = await inboundCount();
      const { res } = await plain.push({}, { body });
      expect(res.status).toBe(400);
      expect(await inboundCount()).toBe(before);
    });

    it('refuses bodies over 64 KB with 413 and non-XML media types with 415', async () => {
      const big = plain.text(newOpenId(), '长'.repeat(30000));
      const { res } = await plain.push(big);
      expect(res.status).toBe(413);
      const json = await request(booted.app.getHttpServer()).post(`/wechat/${ACCOUNT_A.appId}`).set('Content-Type', 'application/json').send('{}');
      expect(json.status).toBe(415);
    });
  });
});
