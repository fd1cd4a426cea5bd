import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { JwtService } from '@nestjs/jwt';
import sharp from 'sharp';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { STAFF_ROLES, type StaffRole } from '../../apps/router/src/auth/staff-auth.js';
import { CaseDriver } from '../router/lifecycle-support.js';
import { startRouter, type RouterHarness } from '../router/router-support.js';
import { discoverRoutes, routeName, type DiscoveredRoute } from './support/routes.js';
import {
  assertRefused,
  deepJson,
  expectRefused,
  hostileString,
  listen,
  malformedJson,
  poisonedString,
  queryString,
  StoreProbe,
  Tally,
  timed,
  wellFormed,
} from './support/fuzz.js';

/** The router's routes anyone may call. The access test fails when a route is added outside StaffGuard. */
const PUBLIC_ROUTES = ['GET /health', 'GET /ready', 'GET /metrics', 'POST /auth/login'];
const NO_CASE = '01JZZZZZZZZZZZZZZZZZZZZZZZ';

/**
 * The staff and agency API of the router: the access matrix over every discovered route (no credentials,
 * a wrong role, another unit) and hostile input at the agency API. Errors are `{error, message}`.
 */
describe('hostile input and access: router (staff and agency API)', () => {
  const tally = new Tally('router');
  let h: RouterHarness;
  let d: CaseDriver;
  let probe: StoreProbe;
  let base: string;
  let routes: DiscoveredRoute[];
  let unitA: string;
  let unitB: string;
  /** Assigned to unit A; unit B must not see it. Its text is unique so a leak is recognisable. */
  let caseA: string;
  const SECRET_TEXT = `只有承办单位能看的内容-${Date.now()}`;
  const http = () => request(base);

  const tokenFor = (role: StaffRole, unitId = unitA) => `Bearer ${h.token(role, `${role}-hostile`, role === 'unit' ? unitId : undefined)}`;
  const fill = (path: string, id = NO_CASE) => path.replace(':id', id).replace(':username', 'nobody-here').replace(':keyId', 'none');
  const call = (r: { method: string; path: string }, path: string) => {
    const m = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const req = http()[m](path);
    return m === 'get' || m === 'delete' ? req : req.send({});
  };

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wz-hostile-router-'));
    h = await startRouter({ ROUTER_MEDIA_DIR: join(dir, 'media'), ROUTER_UPLOAD_TMP_DIR: join(dir, 'tmp') });
    base = await listen(h.app);
    d = new CaseDriver(h);
    routes = discoverRoutes(h.app);
    [unitA, unitB] = await Promise.all([d.unitId('市住建局'), d.unitId('市交通运输局')]);
    caseA = await d.assigned(unitA, [], { content: SECRET_TEXT });
    probe = new StoreProbe(h.app.get(DataSource), ['router'], [], [join(dir, 'media'), join(dir, 'tmp')]);
    await probe.quiesce();
  });

  afterAll(async () => {
    tally.report();
    await probe?.close();
    await h?.close();
  });

  // ------------------------------------------------------------ access matrix

  it('discovers the routes, and the public ones are exactly the allow-list', () => {
    expect(routes.length).toBeGreaterThan(40);
    const open = routes.filter((r) => !r.guards.includes('StaffGuard')).map(routeName).sort();
    expect(open).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('answers 401 with a reason to every non-public route without credentials or with a bad token', async () => {
    const before = await probe.snapshot();
    const jwt = new JwtService({ secret: 'not-the-router-secret-0123456789abcdef' });
    const bad = [
      undefined,
      'Bearer',
      'Basic YWRtaW46YWRtaW4=',
      `Bearer ${jwt.sign({ sub: 'x', role: 'admin' })}`,
      `Bearer ${h.token('admin').split('.').slice(0, 2).join('.')}.`,
      `Bearer eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: 'x', role: 'admin' })).toString('base64url')}.`,
      `Bearer ${new JwtService({ secret: h.config.env.ROUTER_JWT_SECRET }).sign({ sub: 'x', role: 'root' })}`,
      `Bearer ${new JwtService({ secret: h.config.env.ROUTER_JWT_SECRET }).sign({ sub: 'x', role: 'unit' })}`,
    ];
    for (const r of routes.filter((x) => !PUBLIC_ROUTES.includes(routeName(x)))) {
      for (const auth of bad) {
        const req = call(r, fill(r.path, caseA));
        const sent = await timed(auth ? req.set('Authorization', auth) : req);
        tally.record(routeName(r), 'access: no or bad credentials', sent.res.status);
        expectRefused(sent, [401]);
      }
      const sent = await timed(call(r, fill(r.path, caseA)).set('X-Api-Key', 'wzk_not-a-key'));
      tally.record(routeName(r), 'access: no or bad credentials', sent.res.status);
      expectRefused(sent, [401]);
    }
    expect(StoreProbe.diff(before, await probe.snapshot())).toEqual({});
  });

  it('answers 403 to a valid token of every wrong role, and lets every right role past the guard', async () => {
    for (const r of routes.filter((x) => !PUBLIC_ROUTES.includes(routeName(x)))) {
      const allowed = r.meta<StaffRole[]>('wz:roles') ?? [];
      for (const role of STAFF_ROLES) {
        if (allowed.includes(role)) {
          // The control: the same request with a right role is not refused by the guard. (The live feed
          // streams forever; its right-role check is that it does not answer 401/403 within 1 s.)
          if (r.path === '/desk/feed') continue;
          const sent = await timed(call(r, fill(r.path, r.path.startsWith('/agency/cases/') ? caseA : NO_CASE)).set('Authorization', tokenFor(role)));
          tally.record(routeName(r), 'access: right role (control)', sent.res.status);
          if ([401, 403].includes(sent.res.status) || sent.res.status >= 500) {
            throw new Error(`${routeName(r)} as ${role}: ${sent.res.status} ${sent.res.text.slice(0, 200)}`);
          }
        } else {
          const sent = await timed(call(r, fill(r.path, caseA)).set('Authorization', tokenFor(role)));
          tally.record(routeName(r), 'access: wrong role', sent.res.status);
          expectRefused(sent, [403]);
        }
      }
    }
  });

  it('never shows or acts on another unit’s case: every unit-scoped route answers 403 or 404 without leaking it', async () => {
    const before = await probe.snapshot();
    const status = await d.status(caseA);
    const scoped = routes.filter((r) => r.path.startsWith('/agency/cases/:id'));
    expect(scoped.length).toBeGreaterThanOrEqual(6);
    for (const r of scoped) {
      const m = r.method.toLowerCase() as 'get' | 'post';
      const sent = await timed(http()[m](fill(r.path, caseA)).set('Authorization', tokenFor('unit', unitB)).send({ text: '偷看', reason: '不是我们的', workingDays: 2 }));
      tally.record(routeName(r), 'access: another unit', sent.res.status);
      expectRefused(sent, [403, 404]);
      expect(sent.res.text).not.toContain(SECRET_TEXT);
    }
    const list = await http().get('/agency/cases?pageSize=100').set('Authorization', tokenFor('unit', unitB)).expect(200);
    expect(list.text).not.toContain(caseA);
    expect(await d.status(caseA)).toBe(status);
    expect(StoreProbe.diff(before, await probe.snapshot())).toEqual({});
    // The control: the case's own unit does see it.
    const own = await http().get(`/agency/cases/${caseA}`).set('Authorization', tokenFor('unit', unitA)).expect(200);
    expect(own.text).toContain(SECRET_TEXT);
  });

  // ------------------------------------------------------------ hostile input at the agency API

  const agent = () => tokenFor('unit', unitA);

  it('refuses hostile case ids in every agency case route (4xx)', () =>
    assertRefused(tally, probe, {
      endpoint: 'GET|POST /agency/cases/:id[/…]',
      category: 'hostile case ids',
      arbitrary: fc.tuple(fc.constantFrom('', '/accept', '/reply', '/return', '/extension', '/notes'), hostileString(60)),
      send: ([suffix, id]) => {
        const path = `/agency/cases/${encodeURIComponent(wellFormed(id)) || '%20'}${suffix}`;
        return suffix ? http().post(path).set('Authorization', agent()).send({ text: '答复内容足够长足够长足够长', reason: '理由', workingDays: 1 }) : http().get(path).set('Authorization', agent());
      },
      numRuns: 22,
    }));

  it('refuses hostile bodies for reply, return, extension and notes (400), the case unchanged', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /agency/cases/:id/{reply,return,extension,notes}',
      category: 'hostile bodies',
      arbitrary: fc.oneof(
        fc.record({ path: fc.constant('reply'), body: fc.oneof(
          fc.record({ text: fc.oneof(poisonedString(), fc.constantFrom('', '   ', null, 42, [], '答'.repeat(20001))) }),
          fc.record({ text: fc.constant('经现场核实，问题已经解决，感谢您的反映。'), attachments: fc.oneof(
            fc.constantFrom('x', null, {}, [null], Array.from({ length: 21 }, () => ({}))),
            fc.record({ objectKey: fc.constantFrom('../../etc/passwd', '/etc/passwd', 'photos/../../x', 'photos/none.jpg', ''), kind: fc.constantFrom('photo', 'exe'), contentType: fc.constantFrom('image/jpeg', 'text/html') }).map((a) => [a]),
          ) }),
        ) }),
        fc.record({ path: fc.constant('return'), body: fc.record({ reason: fc.oneof(poisonedString(), fc.constantFrom('', '  ', null, '由'.repeat(2001))) }) }),
        fc.record({ path: fc.constant('extension'), body: fc.record({ workingDays: fc.constantFrom(0, -1, 31, 1.5, '3', null, 1e309), reason: fc.constant('需要时间') }) }),
        fc.record({ path: fc.constant('extension'), body: fc.record({ workingDays: fc.constant(2), reason: poisonedString() }) }),
        fc.record({ path: fc.constant('notes'), body: fc.record({ text: fc.oneof(poisonedString(), fc.constantFrom('', null, '注'.repeat(5001))) }) }),
      ),
      send: ({ path, body }) => http().post(`/agency/cases/${caseA}/${path}`).set('Authorization', agent()).set('Content-Type', 'application/json').send(JSON.stringify(body)),
      statuses: [400, 413],
      numRuns: 33,
    }));

  it('refuses malformed and deeply nested JSON at every agency write (400)', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST|PUT /agency/*',
      category: 'malformed/deep JSON',
      arbitrary: fc.tuple(fc.constantFrom(`/agency/cases/{id}/reply`, `/agency/cases/{id}/notes`, '/agency/webhook'), fc.oneof({ weight: 4, arbitrary: malformedJson() }, { weight: 1, arbitrary: deepJson() })),
      send: ([path, body]) => {
        const url = path.replace('{id}', caseA);
        return (url.endsWith('webhook') ? http().put(url) : http().post(url)).set('Authorization', agent()).set('Content-Type', 'application/json').send(body);
      },
      statuses: [400, 413],
      numRuns: 22,
    }));

  it('refuses hostile list queries, webhook registrations and uploads (4xx)', () =>
    assertRefused(tally, probe, {
      endpoint: 'GET /agency/cases, PUT /agency/webhook, POST /agency/media',
      category: 'hostile queries / webhooks / uploads',
      arbitrary: fc.oneof(
        fc.record({ page: fc.constantFrom('0', '-1', 'x', '1e9'), pageSize: fc.constantFrom('0', '101', 'NaN'), status: fc.oneof(hostileString(30), fc.constant('ASSIGNED')), q: fc.oneof(poisonedString(), fc.constant('问'.repeat(101))) })
          .map((q) => ({ kind: 'list' as const, q })),
        fc.record({ url: fc.constantFrom('file:///etc/passwd', 'javascript:alert(1)', 'gopher://127.0.0.1:25/', 'not a url', '', 'ftp://x.example/'), secret: fc.constantFrom('a-very-long-secret-1', 'short') }).map((b) => ({ kind: 'webhook' as const, b })),
        fc.record({ url: fc.constant('https://unit.example/hook'), secret: fc.oneof(poisonedString(), fc.constant('s'.repeat(201))) }).map((b) => ({ kind: 'webhook' as const, b })),
        fc.oneof(fc.constant(Buffer.from('not an image')), fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((b) => Buffer.from(b)), fc.constant(Buffer.from('<svg onload=alert(1)>'))).map((file) => ({ kind: 'media' as const, file })),
        fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=nope').map((type) => ({ kind: 'broken-multipart' as const, type })),
      ),
      send: (c) => {
        switch (c.kind) {
          case 'list':
            return http().get(`/agency/cases${queryString(c.q)}`).set('Authorization', agent());
          case 'webhook':
            return http().put('/agency/webhook').set('Authorization', agent()).send(c.b);
          case 'media':
            return http().post('/agency/media').set('Authorization', agent()).attach('files', c.file, { filename: '../../x.jpg', contentType: 'image/jpeg' });
          case 'broken-multipart':
            return http().post('/agency/media').set('Authorization', agent()).set('Content-Type', c.type).send(Buffer.from('--b\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n\r\nabc'));
        }
      },
      statuses: [400, 413, 415],
      numRuns: 22,
    }));

  it('refuses hostile staff logins (400/401)', () =>
    assertRefused(tally, probe, {
      endpoint: 'POST /auth/login',
      category: 'hostile credentials',
      arbitrary: fc.record({ username: fc.oneof(hostileString(80), fc.constantFrom('', null, 42, "admin' --")), password: fc.oneof(hostileString(80), fc.constantFrom('', null)) }),
      send: (body) => http().post('/auth/login').send(body),
      statuses: [400, 401, 413],
      numRuns: 16,
    }));

  it('control: a photo a unit uploads is accepted (the upload refusals above can fail)', async () => {
    const photo = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#aa3300' } }).jpeg().toBuffer();
    const sent = await timed(http().post('/agency/media').set('Authorization', agent()).attach('files', photo, 'p.jpg'));
    tally.record('POST /agency/media', 'control: valid upload', sent.res.status);
    expect(sent.res.status).toBe(201);
  });
});
