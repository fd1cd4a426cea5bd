import fc from 'fast-check';
import request from 'supertest';
import { WechatCipher, wechatSignature } from '../../apps/ingest-wechat/src/push/wechat-crypto.js';
import { buildWechatXml } from '../../apps/ingest-wechat/src/push/wechat-xml.js';
import { bootWechat, type BootedWechat } from '../ingest-wechat/boot.js';
import { ACCOUNT_A, ACCOUNT_B, KEY, newOpenId, nextMsgId } from '../ingest-wechat/wechat-client.js';
import { WechatStandIn } from '../support/wechat-stand-in.js';
import {
  assertRefused,
  fuzzParams,
  hostileString,
  listen,
  malformedXml,
  NASTY,
  oversize,
  queryString,
  rawQueryJunk,
  settle,
  StoreProbe,
  Tally,
  timed,
  xmlBombs,
} from './support/fuzz.js';

/**
 * Hostile input at the WeChat push endpoint (`GET|POST /wechat/:appId`), plain and safe mode.
 * Protocol (shared/reference/wechat.md): a genuine push of a type we do not know must be answered `success`
 * with 200 (anything else makes WeChat show the citizen an error and retry), so that input is asserted as
 * exactly that; everything that is not a genuine push is a 4xx with `{error, message}` and stores nothing.
 */
describe('hostile input: WeChat push', () => {
  const tally = new Tally('wechat-push');
  let stand: WechatStandIn;
  let booted: BootedWechat;
  let probe: StoreProbe;
  let base: string;
  const http = () => request(base);

  const now = () => Math.floor(Date.now() / 1000);
  const signed = (token: string, timestamp = String(now()), nonce = String(Math.floor(Math.random() * 1e9))) => ({
    timestamp,
    nonce,
    signature: wechatSignature(token, timestamp, nonce),
  });
  const textXml = (content: string, openId = newOpenId()) =>
    buildWechatXml({ ToUserName: ACCOUNT_A.originalId, FromUserName: openId, CreateTime: now(), MsgType: 'text', Content: content, MsgId: nextMsgId() });
  const postXml = (query: Record<string, string | undefined>, body: string | Buffer, appId = ACCOUNT_A.appId, raw = '') =>
    http().post(`/wechat/${appId}${queryString(query, raw)}`).set('Content-Type', 'text/xml').send(body);
  const cipherA = new WechatCipher(KEY, ACCOUNT_A.appId);
  /** A safe-mode push: the outer XML with `Encrypt`, signed with msg_signature over it. */
  const safeQuery = (encrypt: string, token = ACCOUNT_A.token) => {
    const q = signed(token);
    return { ...q, encrypt_type: 'aes', msg_signature: wechatSignature(token, q.timestamp, q.nonce, encrypt) };
  };
  const safeBody = (encrypt: string) => buildWechatXml({ ToUserName: ACCOUNT_A.originalId, Encrypt: encrypt });
  const inbound = async (): Promise<number> => (await booted.db.query('SELECT count(*)::int AS n FROM ingest_wechat.wechat_inbound'))[0].n;

  beforeAll(async () => {
    stand = new WechatStandIn([{ appId: ACCOUNT_A.appId, secret: ACCOUNT_A.appSecret }]);
    booted = await bootWechat(await stand.start());
    base = await listen(booted.app);
    // The case-events consumer's bookkeeping moves with other tests' events, never with a push.
    probe = new StoreProbe(booted.db, ['ingest_wechat'], ['ingest_wechat.processed_messages']);
    // Its case.events.v1 consumer may still be reading what earlier files published.
    await probe.quiesce();
  });

  afterAll(async () => {
    tally.report();
    await probe?.close();
    await booted?.app.close();
    await stand?.stop();
  });

  const endpoint = 'POST /wechat/:appId';

  it('refuses a push to an unknown account (404)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'unknown account',
      arbitrary: hostileString(80).filter((s) => s !== ACCOUNT_A.appId && s !== ACCOUNT_B.appId && s.trim() !== ''),
      send: (appId) => postXml(signed(ACCOUNT_A.token), textXml('问政'), encodeURIComponent(appId.replace(/[\uD800-\uDFFF]/g, 'x'))),
      statuses: [404],
      numRuns: 16,
    }));

  it('refuses wrong and missing signatures (401)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'wrong signature',
      arbitrary: fc.record({
        signature: fc.option(fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), hostileString(60)), { nil: undefined }),
        token: fc.constantFrom('wrongtoken', ACCOUNT_B.token, ''),
        body: fc.constantFrom('问政', ...NASTY),
      }),
      send: ({ signature, token, body }) => {
        const q = signed(token || ACCOUNT_A.token);
        return postXml({ ...q, signature: token ? q.signature : signature }, textXml(body));
      },
      statuses: [401],
      numRuns: 22,
    }));

  it('refuses replayed and out-of-window timestamps, correctly signed (401)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'replayed/out-of-window timestamp',
      arbitrary: fc.oneof(
        fc.integer({ min: 301, max: 10 * 365 * 86400 }).map((d) => String(now() - d)),
        fc.integer({ min: 301, max: 86400 * 30 }).map((d) => String(now() + d)),
        fc.constantFrom('', '-1', '1e9', '0x5f5e100', String(now()) + '000000', ' 1', '١٢٣', 'NaN', ...NASTY),
      ),
      send: (timestamp) => postXml(signed(ACCOUNT_A.token, timestamp), textXml('问政')),
      statuses: [401],
      numRuns: 22,
    }));

  it('refuses malformed XML, DOCTYPE and entity bombs, correctly signed (400)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'malformed XML / entity bombs',
      arbitrary: fc.oneof(malformedXml(textXml('小区路灯坏了两个星期，晚上很不安全')), xmlBombs()),
      send: (body) => postXml(signed(ACCOUNT_A.token), body),
      statuses: [400],
      numRuns: 33,
    }));

  it('refuses well-formed XML that is not a valid push (missing fields, non-numeric ids, NULs) with 400', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'invalid message fields',
      arbitrary: fc.oneof(
        fc.constantFrom('ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'MsgId', 'Content').map((drop) => ({ drop })),
        fc.record({ CreateTime: fc.constantFrom('', 'yesterday', '-5', '1.5', '9'.repeat(30), ...NASTY) }),
        fc.record({ MsgId: fc.constantFrom('', 'abc', '-1', '1e20', '9'.repeat(30), ...NASTY) }),
        fc.record({ FromUserName: fc.constant('') }),
        fc.record({ raw: fc.constantFrom('a&#0;b', '&#xD800;', '&#xDFFF;', '&#1114112;', '&#x0B;', '<![CDATA[\u0000]]>', 'x\u0000y', '<![CDATA[a\u0001b]]>', '<![CDATA[小区门口的路灯坏了两个星期，晚上走路很不安全\u0000希望尽快修好]]>', '小区门口的路灯坏了两个星期，晚上走路很不安全&#xD800;希望尽快修好') }),
      ),
      send: (change) => {
        if ('raw' in change) {
          // Characters XML forbids, written raw or as references (the builder would escape them).
          const xml = textXml('问政').replace(/<Content>.*<\/Content>/, `<Content>${change.raw}</Content>`);
          return postXml(signed(ACCOUNT_A.token), xml);
        }
        const fields: Record<string, string | number> = {
          ToUserName: ACCOUNT_A.originalId,
          FromUserName: newOpenId(),
          CreateTime: now(),
          MsgType: 'text',
          Content: '问政',
          MsgId: nextMsgId(),
        };
        if ('drop' in change) delete fields[change.drop];
        else Object.assign(fields, change);
        return postXml(signed(ACCOUNT_A.token), buildWechatXml(fields));
      },
      statuses: [400],
      numRuns: 22,
    }));

  it('refuses oversize bodies (413) and bodies that are not XML (415)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'oversize body / wrong content type',
      arbitrary: fc.oneof(
        oversize(64 * 1024).map((body) => ({ body, type: 'text/xml', status: 413 })),
        fc.constantFrom('application/json', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'image/png', 'text/html', 'xml').map((type) => ({ body: Buffer.from(textXml('问政')), type, status: 415 })),
      ),
      send: ({ body, type }) => http().post(`/wechat/${ACCOUNT_A.appId}${queryString(signed(ACCOUNT_A.token))}`).set('Content-Type', type).send(body),
      statuses: [413, 415],
      numRuns: 11,
    }));

  it('refuses safe-mode pushes with a wrong msg_signature, a bad cipher text, another AppID or a broken inner XML', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'safe mode: signature, cipher, AppID',
      arbitrary: fc.oneof(
        // Right plain signature, wrong msg_signature.
        fc.constant(textXml('问政')).map((xml) => {
          const encrypt = cipherA.encrypt(xml);
          return { query: { ...safeQuery(encrypt), msg_signature: 'f'.repeat(40) }, body: safeBody(encrypt), status: 401 };
        }),
        // Correctly msg-signed garbage: not base64, wrong length, undecryptable.
        fc.oneof(hostileString(200), fc.base64String({ minLength: 4, maxLength: 400 }), fc.uint8Array({ minLength: 16, maxLength: 256 }).map((b) => Buffer.from(b).toString('base64')))
          .filter((s) => s.trim() !== '' && !/[\uD800-\uDFFF\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s) && !s.includes(']]>'))
          .map((encrypt) => ({ query: safeQuery(encrypt), body: safeBody(encrypt), status: 400 })),
        // A genuine cipher text of another account (same key, other AppID): not for us.
        fc.constant(null).map(() => {
          const encrypt = new WechatCipher(KEY, ACCOUNT_B.appId).encrypt(textXml('问政'));
          return { query: safeQuery(encrypt), body: safeBody(encrypt), status: 401 };
        }),
        // Decrypts fine, but the XML inside is malformed.
        fc.oneof(malformedXml(textXml('问政')), xmlBombs()).filter((s) => s !== '').map((inner) => {
          const encrypt = cipherA.encrypt(inner);
          return { query: safeQuery(encrypt), body: safeBody(encrypt), status: 400 };
        }),
        // No <Encrypt> in the outer XML.
        fc.constant({ query: safeQuery('x'), body: buildWechatXml({ ToUserName: 'gh_x' }), status: 400 }),
      ),
      send: ({ query, body }) => postXml(query, body),
      statuses: [400, 401],
      numRuns: 33,
    }));

  it('refuses safe mode for an account without EncodingAESKey, and junk in the query string', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'safe mode without key / query junk',
      arbitrary: fc.oneof(
        fc.constant(null).map(() => ({ appId: ACCOUNT_B.appId, query: safeQuery('abc', ACCOUNT_B.token), raw: '' })),
        rawQueryJunk.map((raw) => ({ appId: ACCOUNT_A.appId, query: {}, raw })),
      ),
      send: ({ appId, query, raw }) => postXml(query, safeBody('abc'), appId, raw),
      statuses: [400, 401],
      numRuns: 8,
    }));

  it('refuses URL checks with a wrong signature, a stale timestamp, no echostr or an undecryptable WeCom echostr', () =>
    assertRefused(tally, probe, {
      endpoint: 'GET /wechat/:appId',
      category: 'URL check: signature, timestamp, echostr',
      arbitrary: fc.oneof(
        hostileString(80).map((echostr) => ({ ...signed('wrongtoken'), echostr, status: 401 })),
        fc.integer({ min: 301, max: 10 ** 8 }).map((d) => ({ ...signed(ACCOUNT_A.token, String(now() - d)), echostr: 'e', status: 401 })),
        fc.constant(null).map(() => ({ ...signed(ACCOUNT_A.token), echostr: undefined, status: 400 })),
        fc.base64String({ minLength: 4, maxLength: 120 }).filter((s) => s.length > 0).map((echostr) => {
          const q = signed(ACCOUNT_A.token);
          return { ...q, echostr, msg_signature: wechatSignature(ACCOUNT_A.token, q.timestamp, q.nonce, echostr), status: 400 };
        }),
      ),
      send: ({ status: _status, ...query }) => http().get(`/wechat/${ACCOUNT_A.appId}${queryString(query)}`),
      statuses: [400, 401],
      numRuns: 22,
    }));

  it('control: a signed URL check answers any echostr exactly, as text/plain', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }).filter((s) => s.trim() === s && s !== ''), async (echostr) => {
        const sent = await timed(http().get(`/wechat/${ACCOUNT_A.appId}${queryString({ ...signed(ACCOUNT_A.token), echostr })}`));
        tally.record('GET /wechat/:appId', 'control: valid URL check', sent.res.status);
        expect(sent.res.status).toBe(200);
        expect(sent.res.headers['content-type']).toMatch(/^text\/plain/);
        expect(sent.res.text).toBe(echostr);
      }),
      fuzzParams(8),
    );
  });

  it('protocol: a genuine push of an unknown type is answered 200 `success` and stores nothing', async () => {
    const before = await probe.snapshot();
    await fc.assert(
      fc.asyncProperty(hostileString(40).filter((t) => t.length < 2000 && !['text', 'image', 'voice', 'video', 'shortvideo', 'location', 'link', 'event'].includes(t) && !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/.test(t) && !t.includes(']]>')), async (msgType) => {
        const xml = buildWechatXml({ ToUserName: ACCOUNT_A.originalId, FromUserName: newOpenId(), CreateTime: now(), MsgType: msgType, MsgId: nextMsgId() });
        const sent = await timed(postXml(signed(ACCOUNT_A.token), xml));
        tally.record(endpoint, 'protocol: unknown MsgType → success', sent.res.status);
        expect([sent.res.status, sent.res.text]).toEqual([200, 'success']);
      }),
      fuzzParams(11),
    );
    await settle();
    expect(StoreProbe.diff(before, await probe.snapshot())).toEqual({});
  });

  it('control: genuine pushes (plain and safe mode) whose text is SQL, markup, RTL marks, emoji or very long are accepted and stored once each', async () => {
    // At most 30,000 bytes of text: encrypted and base64-encoded, a safe-mode push then still fits the 64 KB limit.
    const legal = hostileString(3000).filter(
      (s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/.test(s) && !s.includes(']]>') && s.trim() !== '' && Buffer.byteLength(s) <= 30_000,
    );
    let accepted = 0;
    const before = await inbound();
    await fc.assert(
      fc.asyncProperty(legal, fc.boolean(), async (content, safe) => {
        const xml = textXml(content);
        const encrypt = safe ? cipherA.encrypt(xml) : '';
        const sent = await timed(safe ? postXml(safeQuery(encrypt), safeBody(encrypt)) : postXml(signed(ACCOUNT_A.token), xml));
        tally.record(endpoint, `control: genuine text push (${safe ? 'safe' : 'plain'})`, sent.res.status);
        expect(sent.res.status).toBe(200);
        expect(sent.res.text).toMatch(safe ? /<Encrypt>/ : /<MsgType><!\[CDATA\[text\]\]><\/MsgType>/);
        accepted += 1;
      }),
      fuzzParams(14),
    );
    expect(await inbound()).toBe(before + accepted);
  });
});
