import fc from 'fast-check';
import request from 'supertest';
import { weiboSignature } from '../../apps/ingest-weibo/src/push/weibo.adapter.js';
import { bootWeibo, type BootedWeibo } from '../ingest-weibo/boot.js';
import { ACCOUNT, newUid } from '../ingest-weibo/weibo-client.js';
import { weiboDate, WeiboStandIn } from '../support/weibo-stand-in.js';
import {
  assertRefused,
  deepJson,
  fuzzParams,
  hostileString,
  listen,
  malformedJson,
  NASTY,
  oversize,
  queryString,
  rawQueryJunk,
  settle,
  StoreProbe,
  Tally,
  timed,
} from './support/fuzz.js';

/**
 * Hostile input at the Weibo push endpoint (`GET|POST /weibo/:uid`). Protocol (shared/reference/weibo.md):
 * unknown types must be ignored, not rejected — a genuine push of an unknown type is answered 200 with an
 * empty body and stores nothing; everything that is not a genuine push is a 4xx with `{error, message}`.
 */
describe('hostile input: Weibo push', () => {
  const tally = new Tally('weibo-push');
  let stand: WeiboStandIn;
  let booted: BootedWeibo;
  let probe: StoreProbe;
  let base: string;
  const http = () => request(base);
  let clock = Date.now();

  const signed = (secret = ACCOUNT.appSecret, timestamp = String(Date.now()), nonce = String(Math.floor(Math.random() * 1e9))) => ({
    timestamp,
    nonce,
    signature: weiboSignature(secret, timestamp, nonce),
  });
  /** A genuine text push; each one a second later, as created_at has one-second resolution. */
  const push = (fields: Record<string, unknown> = {}) => {
    clock += 1000;
    return { type: 'text', receiver_id: Number(ACCOUNT.uid), sender_id: Number(newUid()), created_at: weiboDate(clock), text: '问政', data: {}, ...fields };
  };
  const post = (query: Record<string, string | undefined>, body: string | Buffer, type = 'application/json', uid = ACCOUNT.uid, raw = '') =>
    http().post(`/weibo/${uid}${queryString(query, raw)}`).set('Content-Type', type).send(body);
  const inbound = async (): Promise<number> => (await booted.db.query('SELECT count(*)::int AS n FROM ingest_weibo.weibo_inbound'))[0].n;

  beforeAll(async () => {
    stand = await WeiboStandIn.start();
    booted = await bootWeibo(stand);
    base = await listen(booted.app);
    // The case-events consumer's bookkeeping moves with other tests' events, never with a push.
    probe = new StoreProbe(booted.db, ['ingest_weibo'], ['ingest_weibo.processed_messages']);
    // Its case.events.v1 consumer may still be reading what earlier files published.
    await probe.quiesce();
  });

  afterAll(async () => {
    tally.report();
    await probe?.close();
    await booted?.app.close();
    await stand?.close();
  });

  const endpoint = 'POST /weibo/:uid';

  it('refuses a push to an unknown account (404)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'unknown account',
      arbitrary: hostileString(80).filter((s) => s !== ACCOUNT.uid && s.trim() !== ''),
      send: (uid) => post(signed(), JSON.stringify(push()), 'application/json', encodeURIComponent(uid.replace(/[\uD800-\uDFFF]/g, 'x'))),
      statuses: [404],
      numRuns: 14,
    }));

  it('refuses wrong and missing signatures (401)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'wrong signature',
      arbitrary: fc.record({
        signature: fc.option(fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), hostileString(60)), { nil: undefined }),
        secret: fc.constantFrom('wrong-secret', 'XYZ123XYZ', ''),
      }),
      send: ({ signature, secret }) => {
        const q = signed(secret || ACCOUNT.appSecret);
        return post({ ...q, signature: secret ? q.signature : signature }, JSON.stringify(push()));
      },
      statuses: [401],
      numRuns: 16,
    }));

  it('refuses replayed and out-of-window timestamps (milliseconds), correctly signed (401)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'replayed/out-of-window timestamp',
      arbitrary: fc.oneof(
        fc.integer({ min: 301_000, max: 10 * 365 * 86_400_000 }).map((d) => String(Date.now() - d)),
        fc.integer({ min: 301_000, max: 30 * 86_400_000 }).map((d) => String(Date.now() + d)),
        // Seconds instead of milliseconds is a replay from 1970's point of view.
        fc.constant(null).map(() => String(Math.floor(Date.now() / 1000))),
        fc.constantFrom('', '-1', '1e12', '0x1', ' 1', 'NaN', ...NASTY),
      ),
      send: (timestamp) => post(signed(ACCOUNT.appSecret, timestamp), JSON.stringify(push())),
      statuses: [401],
      numRuns: 16,
    }));

  it('refuses malformed and deeply nested JSON, correctly signed (400)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'malformed/deep JSON',
      arbitrary: fc.oneof({ weight: 4, arbitrary: malformedJson() }, { weight: 1, arbitrary: deepJson() }),
      send: (body) => post(signed(), body),
      statuses: [400],
      numRuns: 28,
    }));

  it('refuses JSON that is not a valid push: wrong shapes, ids, dates, another receiver, NULs (400/401)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'invalid push fields',
      arbitrary: fc.oneof(
        fc.constantFrom('null', '[]', '"text"', '42', 'true', '{}', '[{"type":"text"}]').map((body) => ({ body })),
        fc.record({ receiver_id: fc.oneof(fc.constantFrom(null, -1, 1.5, '', 'abc', '1'.repeat(25), Number(ACCOUNT.uid) + 1), hostileString(30)) }),
        fc.record({ sender_id: fc.oneof(fc.constantFrom(null, -1, 1.5, '', '1e5', {}, []), hostileString(30)) }),
        fc.record({ created_at: fc.oneof(fc.constantFrom(null, 0, '', '2026-11-27T10:00:00Z', 'Mon Foo 16 18:09:20 +0800 2012', 'Mon Jul 99 99:99:99 +0800 2012'), hostileString(40)) }),
        fc.record({ text: fc.constantFrom('小区门口的路灯坏了两个星期\u0000晚上走路很不安全', 'a\u0000b', '\u0000') }),
        fc.record({ type: fc.constant('image'), data: fc.constantFrom({}, { tovfid: 'x' }, { tovfid: -1 }, { tovfid: '1'.repeat(30) }) }),
      ),
      send: (change) => post(signed(), 'body' in change ? String(change.body) : JSON.stringify(push(change))),
      statuses: [400, 401, 413],
      numRuns: 28,
    }));

  it('refuses oversize bodies (413) and bodies that are not JSON by type (415)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'oversize body / wrong content type',
      arbitrary: fc.oneof(
        oversize(64 * 1024).map((body) => ({ body, type: 'text/plain', status: 413 })),
        fc.integer({ min: 70_000, max: 300_000 }).map((n) => ({ body: Buffer.from(JSON.stringify(push({ text: 'x'.repeat(n) }))), type: 'application/json', status: 413 })),
        fc.constantFrom('application/xml', 'text/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'image/png').map((type) => ({ body: Buffer.from(JSON.stringify(push())), type, status: 415 })),
      ),
      send: ({ body, type }) => post(signed(), body, type),
      statuses: [413, 415],
      numRuns: 11,
    }));

  it('refuses junk in the query string (401)', () =>
    assertRefused(tally, probe, {
      endpoint,
      category: 'query junk',
      arbitrary: rawQueryJunk,
      send: (raw) => post({}, JSON.stringify(push()), 'application/json', ACCOUNT.uid, raw),
      statuses: [401],
      numRuns: 8,
    }));

  it('refuses URL checks with a wrong signature, a stale timestamp or no echostr', () =>
    assertRefused(tally, probe, {
      endpoint: 'GET /weibo/:uid',
      category: 'URL check: signature, timestamp, echostr',
      arbitrary: fc.oneof(
        hostileString(80).map((echostr) => ({ ...signed('wrong-secret'), echostr })),
        fc.integer({ min: 301_000, max: 10 ** 11 }).map((d) => ({ ...signed(ACCOUNT.appSecret, String(Date.now() - d)), echostr: 'e' })),
        fc.constant(null).map(() => ({ ...signed(), echostr: undefined })),
      ),
      send: (query) => http().get(`/weibo/${ACCOUNT.uid}${queryString(query)}`),
      statuses: [400, 401],
      numRuns: 16,
    }));

  it('control: a signed URL check answers any echostr exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }).filter((s) => s.trim() === s && s !== ''), async (echostr) => {
        const sent = await timed(http().get(`/weibo/${ACCOUNT.uid}${queryString({ ...signed(), echostr })}`));
        tally.record('GET /weibo/:uid', 'control: valid URL check', sent.res.status);
        expect([sent.res.status, sent.res.text]).toEqual([200, echostr]);
      }),
      fuzzParams(8),
    );
  });

  it('protocol: a genuine push of an unknown type is answered 200 with an empty body and stores nothing', async () => {
    const before = await probe.snapshot();
    await fc.assert(
      // Short enough that the push stays under the 64 KB limit (a longer one is the 413 above).
      fc.asyncProperty(hostileString(40).filter((t) => t.length < 2000 && !['text', 'position', 'image', 'voice', 'event', 'mention'].includes(t)), async (type) => {
        const sent = await timed(post(signed(), JSON.stringify(push({ type }))));
        tally.record(endpoint, 'protocol: unknown type → empty 200', sent.res.status);
        expect([sent.res.status, sent.res.text]).toEqual([200, '']);
      }),
      fuzzParams(11),
    );
    await settle();
    expect(StoreProbe.diff(before, await probe.snapshot())).toEqual({});
  });

  it('control: genuine pushes whose text is SQL, markup, RTL marks, emoji or very long are accepted and stored once each', async () => {
    const legal = hostileString(3000).filter((s) => !s.includes('\u0000') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s) && s.trim() !== '');
    let accepted = 0;
    const before = await inbound();
    await fc.assert(
      fc.asyncProperty(legal, async (text) => {
        const sent = await timed(post(signed(), JSON.stringify(push({ text }))));
        tally.record(endpoint, 'control: genuine text push', sent.res.status);
        expect(sent.res.status).toBe(200);
        expect(JSON.parse(sent.res.text)).toMatchObject({ result: true, type: 'text' });
        accepted += 1;
      }),
      fuzzParams(14),
    );
    expect(await inbound()).toBe(before + accepted);
  });
});
