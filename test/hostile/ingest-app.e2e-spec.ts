import fc from 'fast-check';
import sharp from 'sharp';
import request from 'supertest';
import { startIngestApp, type IngestAppHarness } from '../ingest-app/support/ingest-app-harness.js';
import { specExampleForm } from '../open311/support/open311-client.js';
import { discoverRoutes, routeName } from './support/routes.js';
import {
  assertRefused,
  deepJson,
  expectRefused,
  fuzzParams,
  hostileString,
  listen,
  malformedJson,
  NASTY,
  poisonedString,
  queryString,
  rawQueryJunk,
  StoreProbe,
  Tally,
  settle,
  timed,
  wellFormed,
} from './support/fuzz.js';

const ADMIN_TOKEN = 'hostile-admin-token-0123456789-abcdefgh';
const GOOD = { content: '榆阳区新建南路某小区门口的路灯已经坏了两周，晚上出行很不安全。', typeHint: '投诉' };
const CRLF = '\r\n';

/** A multipart body by hand, so its framing can be broken on purpose. */
function multipart(boundary: string, parts: { name: string; filename?: string; type?: string; body: string | Buffer }[], close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `Content-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}${CRLF}${disposition}${CRLF}${p.type ? `Content-Type: ${p.type}${CRLF}` : ''}${CRLF}`));
    chunks.push(Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body));
    chunks.push(Buffer.from(CRLF));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return Buffer.concat(chunks);
}

/**
 * Hostile input at the citizen app API (ingest-app): JSON and multipart submissions, accounts, the citizen's
 * case endpoints, the public portal and Open311. Every refusal is `{statusCode, code, message}` (Open311: the
 * spec's error list); nothing may be stored — no row in `ingest_app`, no file in the media store or the
 * upload folder, no message on any topic.
 */
describe('hostile input: citizen app API and Open311 (ingest-app)', () => {
  const tally = new Tally('ingest-app');
  let h: IngestAppHarness;
  let probe: StoreProbe;
  let base: string;
  let photo: Buffer;
  let apiKey: string;
  let citizenToken: string;
  let citizenRefresh: string;
  let mine: { inquiryId: string };
  const MINE_TEXT = `只有本人能看的诉求内容-${Date.now()}`;
  let ownCase: { inquiryId: string; followUpToken: string };
  const http = () => request(base);
  const json = (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    const req = http().post(path).set('Content-Type', 'application/json');
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return req.send(body);
  };

  beforeAll(async () => {
    h = await startIngestApp({ OPEN311_MEDIA_WORKER: 'false', OPEN311_ADMIN_TOKEN: ADMIN_TOKEN });
    base = await listen(h.app);
    photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
    // What the case endpoints need to exist before the hostile part starts.
    const phone = `139${String(Date.now()).slice(-8)}`;
    citizenToken = (await http().post('/accounts/register').send({ phone, password: 'hostile-pass-1' }).expect(201)).body.accessToken;
    citizenRefresh = (await http().post('/accounts/login').send({ phone, password: 'hostile-pass-1' }).expect(200)).body.refreshToken;
    mine = (await http().post('/inquiries').set('Authorization', `Bearer ${citizenToken}`).send({ content: MINE_TEXT }).expect(201)).body;
    const anon = await http().post('/inquiries').send(GOOD).expect(201);
    ownCase = { inquiryId: anon.body.inquiryId, followUpToken: anon.body.followUpToken };
    apiKey = (await http().post('/open311/admin/keys').set('X-Admin-Token', ADMIN_TOKEN).send({ name: 'hostile' }).expect(201)).body.apiKey;
    // The read model (case_views, case_timeline) and the consumers' bookkeeping are written by the
    // case.events.v1 consumer only, which may still be catching up with earlier files' events.
    probe = new StoreProbe(h.db, ['ingest_app'], ['ingest_app.case_views', 'ingest_app.case_timeline', 'ingest_app.processed_messages', 'ingest_app.portal_counters'], [h.mediaDir, h.uploadDir]);
    await probe.quiesce();
  });

  afterAll(async () => {
    tally.report();
    await probe?.close();
    await h?.close();
  });

  // ------------------------------------------------------------ POST /inquiries (JSON)

  it('refuses malformed and deeply nested JSON submissions (400)', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /inquiries (JSON)',
      category: 'malformed/deep JSON',
      arbitrary: fc.oneof({ weight: 4, arbitrary: malformedJson() }, { weight: 1, arbitrary: deepJson() }),
      send: (body) => json('/inquiries', body),
      statuses: [400, 413],
      numRuns: 22,
    }));

  it('refuses JSON submissions with invalid fields: types, ranges, lengths, unknown fields, NULs (400)', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /inquiries (JSON)',
      category: 'invalid fields / poisoned strings',
      arbitrary: fc.oneof(
        fc.record({ content: fc.oneof(fc.constantFrom(undefined, null, 42, true, [], {}, '', '   ', 'abcd'), poisonedString(), fc.integer({ min: 5001, max: 20000 }).map((n) => '中'.repeat(n))) }),
        fc.record({ typeHint: fc.oneof(fc.constantFrom('other', '', 0, null), hostileString(30)) }),
        fc.record({ latitude: fc.constantFrom(91, -90.0001, 'north', '1e400', null, [], Infinity, '0x10') }),
        fc.record({ longitude: fc.constantFrom(181, -180.5, 'east', {}, '--1') }),
        fc.record({ title: fc.oneof(poisonedString(), fc.constant('题'.repeat(201)), fc.constant(12)) }),
        fc.record({ address: fc.oneof(poisonedString(), fc.constant('址'.repeat(501))) }),
        fc.record({ anonymous: fc.constantFrom('maybe', 2, [], 'yes') }),
        fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'inquiryId', 'trackingNo', 'status', 'unitId', "x' OR 1=1"), hostileString(20), { minKeys: 1, maxKeys: 3 }),
      ),
      send: (change) => json('/inquiries', JSON.stringify({ ...GOOD, ...change })),
      statuses: [400, 413],
      numRuns: 44,
    }));

  it('refuses oversize JSON bodies, bad Idempotency-Keys and bad bearer tokens', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /inquiries (JSON)',
      category: 'oversize / idempotency key / bad token',
      arbitrary: fc.oneof(
        fc.integer({ min: 200_000, max: 2_000_000 }).map((n) => ({ body: JSON.stringify({ ...GOOD, pad: 'x'.repeat(n) }), headers: {} })),
        fc.oneof(fc.constantFrom('', 'short', 'has space 123', 'k'.repeat(129), 'ключ-идемпотентности'), hostileString(60).filter((s) => !/^[A-Za-z0-9_.:-]{8,128}$/.test(s)))
          .map((key) => ({ body: JSON.stringify(GOOD), headers: { 'Idempotency-Key': encodeURIComponent(wellFormed(key)) || ' ' } })),
        fc.oneof(fc.constantFrom('Bearer', 'Bearer ', 'Basic abc', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwidHlwIjoiYWNjZXNzIn0.'), hostileString(60).map((s) => `Bearer ${encodeURIComponent(wellFormed(s))}`))
          .map((auth) => ({ body: JSON.stringify(GOOD), headers: { Authorization: auth } })),
      ),
      send: ({ body, headers }) => json('/inquiries', body, headers),
      statuses: [400, 401, 413],
      numRuns: 22,
    }));

  // ------------------------------------------------------------ POST /inquiries (multipart)

  it('refuses broken multipart: wrong or missing boundaries, truncation, unknown file fields, too many files, non-images', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /inquiries (multipart)',
      category: 'broken multipart / bad files',
      arbitrary: fc.oneof(
        // The declared boundary is not the one used, or there is none.
        fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=other', 'multipart/form-data; boundary="a b"').map((type) => ({
          type,
          body: multipart('real', [{ name: 'content', body: GOOD.content }]),
        })),
        // Truncated anywhere after the first part header started.
        fc.integer({ min: 10, max: 400 }).map((cut) => {
          const full = multipart('b0und', [{ name: 'content', body: GOOD.content }, { name: 'photos', filename: 'a.jpg', type: 'image/jpeg', body: photo }]);
          return { type: 'multipart/form-data; boundary=b0und', body: full.subarray(0, Math.min(cut, full.length - 10)) };
        }),
        // Never closed, or garbage between parts.
        fc.constant({ type: 'multipart/form-data; boundary=b0und', body: multipart('b0und', [{ name: 'content', body: GOOD.content }], false) }),
        fc.constant({ type: 'multipart/form-data; boundary=b0und', body: Buffer.from(`--b0und\r\nno header here\r\n\r\nx\r\n--b0und--\r\n`) }),
        // Files in fields that take none, ten photos, two videos, a non-image as a photo.
        fc.constantFrom('avatar', 'photos[]', '__proto__', 'content').map((name) => ({
          type: 'multipart/form-data; boundary=b0und',
          body: multipart('b0und', [{ name: 'content', body: GOOD.content }, { name, filename: 'x.jpg', type: 'image/jpeg', body: photo }]),
        })),
        fc.constant(null).map(() => ({
          type: 'multipart/form-data; boundary=b0und',
          body: multipart('b0und', [{ name: 'content', body: GOOD.content }, ...Array.from({ length: 10 }, (_, i) => ({ name: 'photos', filename: `${i}.jpg`, type: 'image/jpeg', body: photo }))]),
        })),
        fc.oneof(fc.constant(Buffer.from('MZ\x90\x00 not an image')), fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => Buffer.from(b)), fc.constant(Buffer.from('<svg onload="alert(1)"/>'))).map((body) => ({
          type: 'multipart/form-data; boundary=b0und',
          body: multipart('b0und', [{ name: 'content', body: GOOD.content }, { name: 'photos', filename: '../../../etc/passwd\u0000.jpg', type: 'image/jpeg', body }]),
        })),
        // Invalid text fields next to a good photo: the photo must not be kept.
        fc.oneof(hostileString(60).map((a) => `${wellFormed(a)}\u0000小区门口的路灯坏了两周`), fc.constant('abc')).map((content) => ({
          type: 'multipart/form-data; boundary=b0und',
          body: multipart('b0und', [{ name: 'content', body: content }, { name: 'photos', filename: 'a.jpg', type: 'image/jpeg', body: photo }]),
        })),
      ),
      send: ({ type, body }) => http().post('/inquiries').set('Content-Type', type).send(body),
      statuses: [400, 413, 415],
      numRuns: 33,
    }));

  it('refuses submissions in content types it does not take (415 or 400)', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /inquiries (other types)',
      category: 'wrong content type',
      arbitrary: fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'image/jpeg', 'application/octet-stream'),
      send: (type) => http().post('/inquiries').set('Content-Type', type).send(type.includes('urlencoded') ? 'content=abc' : 'content'),
      numRuns: 8,
    }));

  // ------------------------------------------------------------ accounts

  it('refuses hostile registrations, logins and refresh tokens (400/401/409)', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /accounts/*',
      category: 'hostile credentials / tokens',
      arbitrary: fc.oneof(
        fc.record({ path: fc.constantFrom('/accounts/register', '/accounts/login'), phone: fc.oneof(hostileString(40), fc.constantFrom('', '12345678901', '+861391234567', null, 13912345678)), password: fc.oneof(hostileString(40), fc.constant('goodpassword1')) }).filter((r) => typeof r.phone !== 'string' || !/^(\+?86)?[\s-]?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}$/.test(r.phone)),
        fc.record({ path: fc.constantFrom('/accounts/register'), phone: fc.constant('13912345678'), password: fc.constantFrom('', 'short', 'p'.repeat(129), null, 12345678, ['password1']) }),
        fc.record({ path: fc.constantFrom('/accounts/refresh'), refreshToken: fc.oneof(hostileString(200), fc.constantFrom('', 'x'.repeat(201), null, 42)) }),
        fc.record({ path: fc.constantFrom('/accounts/login'), phone: fc.constant('13800000000'), password: fc.constant('wrong-password-1') }),
      ),
      send: ({ path, ...body }) => json(path, JSON.stringify(body)),
      statuses: [400, 401, 409, 413],
      numRuns: 28,
    }));

  it('logout is idempotent by design: an unknown but well-shaped refresh token is a 204, a malformed one a 4xx; nothing stored', async () => {
    const before = await probe.snapshot();
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileString(200), fc.constantFrom('', 'x'.repeat(201), null, 42)), async (refreshToken) => {
        const sent = await timed(json('/accounts/logout', JSON.stringify({ refreshToken })));
        tally.record('POST /accounts/logout', 'hostile refresh tokens (204 by design)', sent.res.status);
        const shaped = typeof refreshToken === 'string' && [...refreshToken].length >= 20 && [...refreshToken].length <= 200 && !/[\u0000]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(refreshToken);
        if (shaped && sent.res.status !== 413) expect(sent.res.status).toBe(204);
        else expectRefused(sent, [400, 413]);
      }),
      fuzzParams(14),
    );
    await settle();
    expect(StoreProbe.diff(before, await probe.snapshot())).toEqual({});
  });

  // ------------------------------------------------------------ my cases

  it('refuses hostile case ids, follow-up tokens, information and ratings (4xx, never another citizen’s case)', () =>
    assertRefused(tally, probe, {
      endpoint: 'GET|POST /cases/:inquiryId[/…], GET /me/cases',
      category: 'hostile ids / tokens / bodies',
      arbitrary: fc.oneof(
        fc.record({ kind: fc.constant('detail' as const), id: hostileString(60), token: fc.option(hostileString(60), { nil: undefined }) }),
        fc.record({ kind: fc.constant('information' as const), id: fc.constant(ownCase?.inquiryId ?? ''), body: fc.oneof(fc.record({ text: fc.oneof(poisonedString(), fc.constantFrom('', '字'.repeat(5001), null, 5)) }), fc.constant({ text: '补充', extra: 1 })) }),
        fc.record({ kind: fc.constant('rating' as const), id: fc.constant(ownCase?.inquiryId ?? ''), body: fc.oneof(fc.record({ rating: fc.oneof(hostileString(20), fc.constantFrom(1, null, 'SATISFIED ')) }), fc.record({ rating: fc.constant('satisfied'), comment: fc.oneof(poisonedString(), fc.constant('评'.repeat(1001))) })) }),
        fc.record({ kind: fc.constant('wrong-token' as const), id: fc.constant(ownCase?.inquiryId ?? ''), token: fc.oneof(hostileString(60), fc.constant('')) }),
        fc.record({ kind: fc.constant('mine' as const), query: fc.record({ page: fc.constantFrom('0', '-1', 'x', '1e9', '10001'), pageSize: fc.constantFrom('0', '101', 'NaN', '') }), auth: fc.boolean() }),
      ),
      send: (c) => {
        const id = encodeURIComponent(('id' in c ? c.id : '').replace(/[\uD800-\uDFFF]/g, '\uFFFD')) || '%20';
        switch (c.kind) {
          case 'detail': {
            const req = http().get(`/cases/${id}`);
            return c.token === undefined ? req : req.set('X-Follow-Up-Token', encodeURIComponent(wellFormed(c.token)));
          }
          case 'information':
            return http().post(`/cases/${id}/information`).set('X-Follow-Up-Token', ownCase.followUpToken).send(c.body as object);
          case 'rating':
            return http().post(`/cases/${id}/rating`).set('X-Follow-Up-Token', ownCase.followUpToken).send(c.body as object);
          case 'wrong-token':
            return http().post(`/cases/${id}/information`).set('X-Follow-Up-Token', encodeURIComponent(wellFormed(c.token)) || 'x').send({ text: '补充信息' });
          case 'mine': {
            const req = http().get(`/me/cases${queryString(c.query)}`);
            return c.auth ? req.set('Authorization', `Bearer ${citizenToken}`) : req;
          }
        }
      },
      numRuns: 33,
    }));

  // ------------------------------------------------------------ portal (read-only)

  it('answers hostile portal queries and ids with a 4xx, never a 5xx', () =>
    assertRefused(tally, probe, {
      endpoint: 'GET /portal/*',
      category: 'hostile ids / queries',
      arbitrary: fc.oneof(
        hostileString(60).map((id) => `/portal/cases/${encodeURIComponent(id.replace(/[\uD800-\uDFFF]/g, 'x')) || '%20'}`),
        fc.record({ page: fc.constantFrom('0', '-1', 'x', '1e400'), pageSize: fc.constantFrom('0', '1000', '[]'), status: hostileString(20), unitId: fc.constantFrom("' OR 1=1 --", '\u202E') }).map((q) => `/portal/cases${queryString(q)}`),
        rawQueryJunk.map((raw) => `/portal/cases?page=0&${raw}`),
        fc.constantFrom('/portal/media/photos/..%2F..%2Fetc/passwd', '/portal/media/photos/ab/..%00.jpg', '/portal/media/photos/%2e%2e/%2e%2e', '/portal/media/photos/zz/none.jpg'),
      ),
      send: (path) => http().get(path),
      numRuns: 22,
    }));

  // ------------------------------------------------------------ Open311

  it('refuses hostile Open311 service requests: bad api_key, unknown service, bad fields, malformed bodies (spec errors)', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /open311/v2/requests.{json,xml}',
      category: 'hostile form fields / keys',
      arbitrary: fc.record({
        format: fc.constantFrom('json', 'xml'),
        change: fc.oneof(
          fc.record({ api_key: fc.oneof(hostileString(60), fc.constantFrom('', undefined)) }),
          fc.record({ service_code: fc.oneof(hostileString(30), fc.constantFrom('', '9999')) }),
          fc.record({ lat: fc.constantFrom('91', 'x', '1e400', ''), long: fc.constantFrom('181', '-181', 'y') }),
          // A form body is UTF-8: its poison is U+0000 (%00), lone surrogates cannot be sent.
          fc.record({ description: fc.oneof(hostileString(60).map((a) => `${wellFormed(a)}\u0000井盖丢失`), fc.constant('述'.repeat(20000))) }),
          fc.record({ email: fc.constantFrom('not-an-email', "a'@b;DROP TABLE x", '<script>@x.y'), address_string: fc.constant(undefined), lat: fc.constant(undefined), long: fc.constant(undefined) }),
          fc.record({ media_url: fc.constantFrom('file:///etc/passwd', 'http://127.0.0.1:1/x.jpg', 'http://169.254.169.254/latest/meta-data', 'gopher://x', 'javascript:alert(1)') }),
        ),
      }),
      send: ({ format, change }) => {
        const key = 'api_key' in change ? change.api_key : apiKey;
        const rest = Object.fromEntries(Object.entries(change).filter(([k]) => k !== 'api_key').map(([k, v]) => [k, v === undefined ? undefined : wellFormed(String(v))]));
        const form = specExampleForm(apiKey, { ...rest, api_key: key === undefined ? undefined : wellFormed(key) });
        return http().post(`/open311/v2/requests.${format}`).set('Content-Type', 'application/x-www-form-urlencoded').send(form);
      },
      numRuns: 33,
    }));

  it('refuses malformed Open311 bodies and hostile GETs (spec errors, never a 5xx)', () =>
    assertRefused(tally, probe, {
      endpoint: 'GET|POST /open311/*',
      category: 'malformed bodies / hostile GETs',
      arbitrary: fc.oneof(
        fc.oneof(malformedJson(), deepJson()).map((body) => ({ method: 'post' as const, path: '/open311/v2/requests.json', type: 'application/json', body })),
        fc.constantFrom('a=%ZZ&b', 'api_key[]=1&api_key[]=2', 'attribute[__proto__][x]=1', '%00=1').map((body) => ({ method: 'post' as const, path: '/open311/v2/requests.json', type: 'application/x-www-form-urlencoded', body })),
        hostileString(40).map((id) => ({ method: 'get' as const, path: `/open311/v2/requests/${encodeURIComponent(id.replace(/[\uD800-\uDFFF]/g, 'x')) || '%20'}.json`, type: '', body: '' })),
        hostileString(40).map((code) => ({ method: 'get' as const, path: `/open311/v2/services/${encodeURIComponent(code.replace(/[\uD800-\uDFFF]/g, 'x')) || '%20'}.xml`, type: '', body: '' })),
        fc.record({ start_date: fc.constantFrom('yesterday', '2026-13-40T99:00:00Z', "' OR 1=1"), status: hostileString(20), jurisdiction_id: hostileString(20) }).map((q) => ({ method: 'get' as const, path: `/open311/v2/requests.json${queryString(q)}`, type: '', body: '' })),
        fc.constantFrom('/open311/v2/requests.html', '/open311/v2/../../etc/passwd', '/open311/v2/tokens/%00.json', '/open311/discovery.yaml').map((path) => ({ method: 'get' as const, path, type: '', body: '' })),
      ),
      send: ({ method, path, type, body }) => (method === 'post' ? http().post(path).set('Content-Type', type).send(body) : http().get(path)),
      numRuns: 28,
    }));

  // ------------------------------------------------------------ access matrix

  /** Routes anyone may call (the citizen API is mostly public: anonymous submission is a feature). */
  const PUBLIC = [
    'GET /health', 'GET /ready', 'GET /metrics',
    'POST /accounts/register', 'POST /accounts/login', 'POST /accounts/refresh', 'POST /accounts/logout',
    'POST /inquiries',
    'GET /portal/cases', 'GET /portal/cases/:inquiryId', 'GET /portal/figures', 'GET /portal/units', 'GET /portal/media/photos/:prefix/:file',
    'GET /open311/:file', 'GET /open311/v2/:file', 'POST /open311/v2/:file', 'GET /open311/v2/services/:file', 'GET /open311/v2/requests/:file',
    'GET /open311/v2/tokens/:file', 'ALL /open311/v2/*path',
  ];
  /** Signed-in citizens only. */
  const CITIZEN = ['GET /me/cases'];
  /**
   * The citizen's own case: signed in, or anonymous with the case's X-Follow-Up-Token. Without either the answer
   * is the same 404 as for a case that does not exist (by design, cases/cases.service.ts: ids cannot be probed).
   */
  const OWN_CASE = ['GET /cases/:inquiryId', 'POST /cases/:inquiryId/information', 'POST /cases/:inquiryId/rating'];
  /** Open311 key administration: X-Admin-Token. */
  const ADMIN = ['GET /open311/admin/keys', 'POST /open311/admin/keys', 'DELETE /open311/admin/keys/:keyId'];

  it('access: every discovered route is in exactly one class, and the public list is exact', () => {
    const names = discoverRoutes(h.app).map(routeName).sort();
    expect(names).toEqual([...PUBLIC, ...CITIZEN, ...OWN_CASE, ...ADMIN].sort());
  });

  it('access: no credentials → 401 (own-case routes: the designed 404), a token of another kind or citizen → 401/403/404, never the case', async () => {
    const other = (await http().post('/accounts/register').send({ phone: `137${String(Date.now()).slice(-8)}`, password: 'other-citizen-1' }).expect(201)).body;
    const before = await probe.snapshot();
    const fill = (path: string) => path.replace(':inquiryId', mine.inquiryId).replace(':keyId', 'none');
    const send = (name: string, headers: Record<string, string>) => {
      const [method, path] = name.split(' ');
      const req = method === 'GET' ? http().get(fill(path)) : method === 'DELETE' ? http().delete(fill(path)) : http().post(fill(path)).send(path.endsWith('rating') ? { rating: '满意' } : path.endsWith('keys') ? { name: 'x' } : { text: '冒充补充' });
      for (const [k, v] of Object.entries(headers)) req.set(k, v);
      return timed(req);
    };
    const check = async (name: string, category: string, headers: Record<string, string>, statuses: number[]) => {
      const sent = await send(name, headers);
      tally.record(name, category, sent.res.status);
      expectRefused(sent, statuses);
      expect(sent.res.text).not.toContain(MINE_TEXT);
    };
    for (const name of CITIZEN) {
      await check(name, 'access: no credentials', {}, [401]);
      await check(name, 'access: refresh token as access token', { Authorization: `Bearer ${citizenRefresh}` }, [401]);
    }
    for (const name of OWN_CASE) {
      await check(name, 'access: no credentials', {}, [404]);
      await check(name, 'access: another citizen', { Authorization: `Bearer ${other.accessToken}` }, [403, 404]);
      await check(name, 'access: another case’s follow-up token', { 'X-Follow-Up-Token': ownCase.followUpToken }, [403, 404]);
    }
    for (const name of ADMIN) {
      await check(name, 'access: no credentials', {}, [401]);
      await check(name, 'access: citizen token (wrong role)', { Authorization: `Bearer ${citizenToken}` }, [403]);
      await check(name, 'access: wrong admin token', { 'X-Admin-Token': 'x'.repeat(40) }, [403]);
    }
    await settle();
    expect(StoreProbe.diff(before, await probe.snapshot())).toEqual({});
    // The control: the owner does see the case.
    const own = await http().get(`/cases/${mine.inquiryId}`).set('Authorization', `Bearer ${citizenToken}`).expect(200);
    expect(own.text).toContain(MINE_TEXT);
    await http().get('/open311/admin/keys').set('X-Admin-Token', ADMIN_TOKEN).expect(200);
  });

  // ------------------------------------------------------------ controls: the oracle can fail

  it('control: submissions whose text is SQL, markup, RTL marks, emoji or CJK extensions are accepted and stored verbatim', async () => {
    const legal = fc.array(fc.constantFrom(...NASTY.filter((s) => !/[\u0000\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')))), { minLength: 1, maxLength: 4 })
      .map((parts) => `市民反映：${parts.join(' ')}`.slice(0, 5000).trim());
    await fc.assert(
      fc.asyncProperty(legal, fc.boolean(), async (content, withPhoto) => {
        const req = withPhoto
          ? http().post('/inquiries').field('content', content).attach('photos', photo, { filename: 'p.jpg', contentType: 'image/jpeg' })
          : http().post('/inquiries').send({ content });
        const sent = await timed(req);
        tally.record('POST /inquiries', `control: valid submission (${withPhoto ? 'multipart' : 'JSON'})`, sent.res.status);
        expect(sent.res.status).toBe(201);
        const [row] = await h.db.query('SELECT content FROM ingest_app.inquiries WHERE inquiry_id = $1', [sent.res.body.inquiryId]);
        expect(row.content).toBe(content);
      }),
      fuzzParams(8),
    );
  });
});
