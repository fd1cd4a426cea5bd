import request from 'supertest';
import { weiboSignature } from '../../apps/ingest-weibo/src/push/weibo.adapter.js';
import { WeiboStandIn } from '../support/weibo-stand-in.js';
import { bootWeibo, type BootedWeibo } from './boot.js';
import { ACCOUNT, newUid, WeiboClient } from './weibo-client.js';

describe('Weibo push endpoint (real PostgreSQL and broker)', () => {
  let stand: WeiboStandIn;
  let booted: BootedWeibo;
  let wb: WeiboClient;

  const rowsFor = async (uid: string): Promise<number> =>
    (await booted.db.query(`SELECT count(*)::int AS n FROM ingest_weibo.weibo_inbound WHERE dedup_key LIKE $1`, [`${uid}:%`]))[0].n;
  const outboxFor = async (uid: string): Promise<{ event_type: string }[]> =>
    booted.db.query(`SELECT event_type FROM ingest_weibo.outbox WHERE envelope LIKE $1 ORDER BY id`, [`%"externalUserId":"${uid}"%`]);

  beforeAll(async () => {
    stand = await WeiboStandIn.start();
    // The official example's timestamp is from 2014: the window is off for this file.
    booted = await bootWeibo(stand, { WEIBO_TIMESTAMP_WINDOW_SEC: '0' });
    wb = new WeiboClient(booted.app);
  });

  afterAll(async () => {
    await booted.app.close();
    await stand.close();
  });

  it('answers the official URL check example with the raw echostr', async () => {
    const res = await request(booted.app.getHttpServer())
      .get(`/weibo/${ACCOUNT.uid}?nonce=57155157&timestamp=1397022061823&echostr=dnPdpTZz85&signature=90e4c22c90a58f26526c2dd5b6c56c8822edeaa1`)
      .expect(200);
    expect(res.text).toBe('dnPdpTZz85');
    expect(res.headers['content-type']).toContain('text/plain');
    await request(booted.app.getHttpServer())
      .get(`/weibo/${ACCOUNT.uid}?nonce=57155157&timestamp=1397022061823&echostr=dnPdpTZz85&signature=${'0'.repeat(40)}`)
      .expect(401);
    await request(booted.app.getHttpServer()).get('/weibo/42?nonce=1&timestamp=1&echostr=x&signature=x').expect(404);
  });

  it('answers a text push with the passive reply JSON, data URL-encoded, ids as strings', async () => {
    const uid = newUid();
    const { res, reply } = await wb.push(wb.text(uid, '问政'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(reply?.json).toMatchObject({ result: true, sender_id: ACCOUNT.uid, receiver_id: uid, type: 'text' });
    expect(reply?.json.data).toBe(encodeURIComponent(JSON.stringify({ text: reply!.text })));
    expect(reply?.text).toContain('提交');
  });

  it('refuses a wrong signature with 401 and stores nothing', async () => {
    const uid = newUid();
    const timestamp = String(Date.now());
    await request(booted.app.getHttpServer())
      .post(`/weibo/${ACCOUNT.uid}`)
      .query({ signature: weiboSignature('not-the-secret', timestamp, '1'), timestamp, nonce: '1' })
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(wb.text(uid, '问政')))
      .expect(401);
    expect(await rowsFor(uid)).toBe(0);
    expect(await outboxFor(uid)).toEqual([]);
  });

  it('refuses malformed JSON with 400, a body over 64 KB with 413, another receiver with 401', async () => {
    const uid = newUid();
    expect((await wb.push(wb.text(uid, 'x'), { body: '{"type":"text",' })).res.status).toBe(400);
    expect((await wb.push(wb.text(uid, 'x'), { body: '{"type":"text",', contentType: 'text/plain' })).res.status).toBe(400);
    expect((await wb.push(wb.text(uid, '很长'.repeat(20_000)))).res.status).toBe(413);
    expect((await wb.push({ ...wb.text(uid, '问政'), receiver_id: 123 })).res.status).toBe(401);
    expect((await wb.push(wb.text(uid, 'x'), { contentType: 'application/xml', body: '<xml/>' })).res.status).toBe(415);
    expect(await rowsFor(uid)).toBe(0);
  });

  it('ignores unknown types and subtypes with an empty 200, never rejecting them', async () => {
    const uid = newUid();
    const unknown = await wb.push(wb.message(uid, 'hologram', { data: { anything: 1 } }));
    expect(unknown.res.status).toBe(200);
    expect(unknown.res.text).toBe('');
    const subtype = await wb.push(wb.message(uid, 'event', { data: { subtype: 'teleport' } }));
    expect(subtype.res.status).toBe(200);
    expect(subtype.res.text).toBe('');
    expect(await outboxFor(uid)).toEqual([]);
  });

  it('records a push repeated four times (also concurrently) once and gives the same answer', async () => {
    const uid = newUid();
    const push = wb.text(uid, '小区门口的路灯坏了两个星期，晚上走路很不安全，希望尽快修好');
    const answers = await Promise.all([1, 2, 3, 4].map(() => wb.push(push)));
    expect(answers.map((a) => a.res.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.res.text)).size).toBe(1);
    expect(answers[0].reply?.text).toContain('已记下');
    expect(await rowsFor(uid)).toBe(1);
    const items = await booted.db.query(
      `SELECT count(*)::int AS n FROM ingest_weibo.conv_draft_items i JOIN ingest_weibo.conv_drafts d ON d.id = i.draft_id WHERE d.user_id = $1`,
      [uid],
    );
    expect(items[0].n).toBe(1);
    expect((await outboxFor(uid)).map((r) => r.event_type)).toEqual(['ChannelActivity']);
    // The same words a second later are another message.
    await wb.push(wb.text(uid, '小区门口的路灯坏了两个星期，晚上走路很不安全，希望尽快修好'));
    expect(await rowsFor(uid)).toBe(2);
  });

  it('answers every event subtype of the reference, and welcomes a follower', async () => {
    const uid = newUid();
    const welcome = await wb.push(wb.message(uid, 'event', { data: { subtype: 'follow' } }));
    expect(welcome.reply?.text).toContain('欢迎关注');
    for (const data of [{ subtype: 'scan', key: 'k', ticket: 't' }, { subtype: 'view', key: 'https://wz.yulin.gov.cn' }, { subtype: 'unsubscribe' }]) {
      const { res } = await wb.push(wb.message(uid, 'event', { data }));
      expect(res.status).toBe(200);
    }
    const menu = await wb.push(wb.message(uid, 'event', { data: { subtype: 'click', key: 'WZ_QUERY' } }));
    expect(menu.reply?.text).toContain('还没有提交过');
  });
});
