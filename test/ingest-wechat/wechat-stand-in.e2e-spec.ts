import { WechatStandIn } from '../support/wechat-stand-in.js';

/** The stand-in itself behaves as the reference says (the notifier's tests rely on it too). */
describe(WechatStandIn.name, () => {
  const APP = 'wxstandin00001';
  let stand: WechatStandIn;
  let base: string;
  let clock = Date.now();

  const get = async (path: string) => (await fetch(`${base}${path}`)).json() as Promise<Record<string, unknown>>;
  const post = async (path: string, body: unknown) =>
    (await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;
  const token = async () => String((await get(`/cgi-bin/token?grant_type=client_credential&appid=${APP}&secret=s3cret`)).access_token);
  const text = (touser: string, content = '您的问题已答复') => ({ touser, msgtype: 'text', text: { content } });

  beforeAll(async () => {
    stand = new WechatStandIn([{ appId: APP, secret: 's3cret' }]);
    stand.now = () => clock;
    base = await stand.start();
  });

  afterAll(() => stand.stop());

  it('issues tokens, refuses a wrong secret and retires a replaced token after the grace period', async () => {
    expect(await get(`/cgi-bin/token?grant_type=client_credential&appid=${APP}&secret=nope`)).toMatchObject({ errcode: 40125 });
    expect(await get(`/cgi-bin/token?grant_type=client_credential&appid=wxnobody&secret=s3cret`)).toMatchObject({ errcode: 40013 });
    const first = await token();
    const second = await token();
    stand.userActs(APP, 'oUserA1', 'message');
    expect(await post(`/cgi-bin/message/custom/send?access_token=${first}`, text('oUserA1'))).toMatchObject({ errcode: 0 });
    clock += 6 * 60_000;
    expect(await post(`/cgi-bin/message/custom/send?access_token=${first}`, text('oUserA1'))).toMatchObject({ errcode: 40001 });
    stand.expireToken(APP);
    expect(await post(`/cgi-bin/message/custom/send?access_token=${second}`, text('oUserA1'))).toMatchObject({ errcode: 42001 });
  });

  it('enforces the customer-service window and quota', async () => {
    let t = await token();
    const send = (to: string, content?: string) => post(`/cgi-bin/message/custom/send?access_token=${t}`, text(to, content));
    expect(await send('oNobody01')).toMatchObject({ errcode: 40003 });
    stand.userActs(APP, 'oUserB1', 'message');
    for (let i = 0; i < 5; i++) expect(await send('oUserB1')).toMatchObject({ errcode: 0 });
    expect(await send('oUserB1')).toMatchObject({ errcode: 45047 });
    stand.userActs(APP, 'oUserB1', 'click');
    for (let i = 0; i < 3; i++) expect(await send('oUserB1')).toMatchObject({ errcode: 0 });
    expect(await send('oUserB1')).toMatchObject({ errcode: 45047 });
    stand.userActs(APP, 'oUserB1', 'message');
    clock += 49 * 3600_000;
    t = await token(); // the old one expired after 2 hours
    expect(await send('oUserB1')).toMatchObject({ errcode: 45015 });
    stand.userActs(APP, 'oUserB1', 'message');
    expect(await send('oUserB1', '长'.repeat(700))).toMatchObject({ errcode: 45002 });
    stand.setUser(APP, 'oUserB1', { following: false });
    expect(await send('oUserB1')).toMatchObject({ errcode: 43004 });
    stand.setUser(APP, 'oUserB1', { following: true, refused: true });
    expect(await send('oUserB1')).toMatchObject({ errcode: 48002 });
  });

  it('sends template messages and serves media as binary or JSON errors', async () => {
    const t = await token();
    stand.userActs(APP, 'oUserC1', 'follow');
    const ok = await post(`/cgi-bin/message/template/send?access_token=${t}`, { touser: 'oUserC1', template_id: 'TPL_REPLY', data: { keyword1: { value: 'x' } } });
    expect(ok).toMatchObject({ errcode: 0, msgid: expect.any(Number) });
    expect(await post(`/cgi-bin/message/template/send?access_token=${t}`, { touser: 'oUserC1', template_id: 'nope', data: {} })).toMatchObject({ errcode: 40037 });
    stand.addMedia(APP, 'm1', Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]));
    const media = await fetch(`${base}/cgi-bin/media/get?access_token=${t}&media_id=m1`);
    expect(media.headers.get('content-type')).toBe('image/jpeg');
    expect(media.headers.get('content-disposition')).toContain('attachment; filename=');
    expect(Buffer.from(await media.arrayBuffer())).toHaveLength(6);
    expect(await get(`/cgi-bin/media/get?access_token=${t}&media_id=gone`)).toMatchObject({ errcode: 40007 });
    stand.failNext('/cgi-bin/media/get', -1);
    expect(await get(`/cgi-bin/media/get?access_token=${t}&media_id=m1`)).toMatchObject({ errcode: -1 });
  });
});
