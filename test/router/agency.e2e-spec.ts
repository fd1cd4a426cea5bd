import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { CHINA_HOLIDAYS } from '@app/common/calendar/china-holidays.data.js';
import { CaseDriver, GOOD_REPLY } from './lifecycle-support.js';
import { startRouter, type RouterHarness } from './router-support.js';

describe('router: the agency API, staff accounts and the role matrix', () => {
  let h: RouterHarness;
  let d: CaseDriver;
  let housing: string;
  let transport: string;
  let police: string;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wz-router-media-'));
    h = await startRouter({
      ROUTER_ADMIN_USERNAME: 'root-admin',
      ROUTER_ADMIN_PASSWORD: 'root-admin-password-1',
      ROUTER_MEDIA_DIR: join(dir, 'media'),
      ROUTER_UPLOAD_TMP_DIR: join(dir, 'tmp'),
    });
    d = new CaseDriver(h);
    [housing, transport, police] = await Promise.all([d.unitId('市住建局'), d.unitId('市交通运输局'), d.unitId('市交警支队')]);
  });
  afterAll(async () => h?.close());

  it('never lets a unit read or act on another unit’s case: every agency endpoint answers 404 to the wrong unit', async () => {
    const id = await d.assigned(housing, [police]);
    const wrong = d.agent(transport);
    const calls = [
      d.http.get(`/agency/cases/${id}`),
      d.http.post(`/agency/cases/${id}/accept`),
      d.http.post(`/agency/cases/${id}/reply`).send({ text: GOOD_REPLY }),
      d.http.post(`/agency/cases/${id}/return`).send({ reason: '不是我们的' }),
      d.http.post(`/agency/cases/${id}/extension`).send({ workingDays: 2, reason: '需要时间' }),
      d.http.post(`/agency/cases/${id}/notes`).send({ text: '偷看' }),
    ];
    for (const call of calls) {
      const res = await call.set('Authorization', wrong);
      expect([res.status, res.body.error]).toEqual([404, 'case_not_found']);
    }
    const list = await d.http.get('/agency/cases?pageSize=100').set('Authorization', wrong).expect(200);
    expect(list.body.items.map((c: { inquiryId: string }) => c.inquiryId)).not.toContain(id);
    // The webhook is always the caller's own unit: registering one cannot touch the lead unit's contacts.
    await d.http.put('/agency/webhook').set('Authorization', wrong).send({ url: 'https://transport.example/hook', secret: 'a-very-long-secret-1' }).expect(204);
    const [lead] = await d.db.query(`SELECT webhook_url FROM router.units WHERE id = $1`, [housing]);
    expect(lead.webhook_url).toBeNull();
    // A co-handling unit sees the case but may not take the lead's steps.
    await d.http.get(`/agency/cases/${id}`).set('Authorization', d.agent(police)).expect(200);
    for (const path of ['accept', 'return', 'extension']) {
      const res = await d.http.post(`/agency/cases/${id}/${path}`).set('Authorization', d.agent(police)).send({ reason: '理由', workingDays: 1 });
      expect(res.status).toBe(403);
    }
    expect(await d.status(id)).toBe('assigned');
    const notes = await d.db.query(`SELECT count(*)::int AS n FROM router.case_notes WHERE inquiry_id = $1`, [id]);
    expect(notes[0].n).toBe(0);
  });

  it('lists my unit’s cases with filters and paging', async () => {
    const a = await d.assigned(housing);
    const b = await d.assigned(housing);
    await d.http.post(`/agency/cases/${b}/accept`).set('Authorization', d.agent(housing)).expect(200);
    const page = await d.http.get('/agency/cases?status=assigned&pageSize=1&page=1').set('Authorization', d.agent(housing)).expect(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.total).toBeGreaterThanOrEqual(1);
    expect(page.body.items[0]).toMatchObject({ status: 'assigned', role: 'lead', overdue: false });
    const accepted = await d.http.get('/agency/cases?status=accepted&pageSize=100').set('Authorization', d.agent(housing)).expect(200);
    const ids = accepted.body.items.map((c: { inquiryId: string }) => c.inquiryId);
    expect(ids).toContain(b);
    expect(ids).not.toContain(a);
    await d.http.get('/agency/cases?pageSize=1000').set('Authorization', d.agent(housing)).expect(400);
  });

  it('replies with photos stored through the media pipeline; a reply cannot reference an object not in the store', async () => {
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
    const uploaded = await d.http.post('/agency/media').set('Authorization', d.agent(housing)).attach('files', photo, 'site.jpg').expect(201);
    const [attachment] = uploaded.body.attachments;
    expect(attachment).toMatchObject({ kind: 'photo', contentType: 'image/jpeg' });
    await d.http.post('/agency/media').set('Authorization', d.agent(housing)).attach('files', Buffer.from('not an image'), 'x.jpg').expect(415);

    const id = await d.assigned(housing);
    const fake = { ...attachment, objectKey: 'photos/does-not-exist.jpg' };
    await d.http.post(`/agency/cases/${id}/reply`).set('Authorization', d.agent(housing)).send({ text: GOOD_REPLY, attachments: [fake] }).expect(400);
    await d.http.post(`/agency/cases/${id}/reply`).set('Authorization', d.agent(housing)).send({ text: GOOD_REPLY, attachments: [attachment] }).expect(200);
    const posted = await h.waitForEvent(id, 'ReplyPosted');
    expect((posted.payload as { attachments: unknown[] }).attachments).toEqual([attachment]);
  });

  it('works with a unit API key: stored hashed, rotatable, revocable', async () => {
    const admin = `Bearer ${h.token('admin', 'admin-1')}`;
    const first = await d.http.post(`/admin/units/${housing}/api-key`).set('Authorization', admin).expect(201);
    expect(first.body.apiKey).toMatch(/^wzk_/);
    const [row] = await d.db.query(`SELECT api_key_hash FROM router.units WHERE id = $1`, [housing]);
    expect(row.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.api_key_hash).not.toContain(first.body.apiKey);

    const id = await d.assigned(housing);
    await d.http.post(`/agency/cases/${id}/accept`).set('X-Api-Key', first.body.apiKey).expect(200);
    expect((await h.waitForEvent(id, 'Accepted')).payload.actor).toBe(`apikey:${housing}`);
    await d.http.get('/desk/queue').set('X-Api-Key', first.body.apiKey).expect(403);

    const second = await d.http.post(`/admin/units/${housing}/api-key`).set('Authorization', admin).expect(201);
    await d.http.get('/agency/cases').set('X-Api-Key', first.body.apiKey).expect(401);
    await d.http.get('/agency/cases').set('X-Api-Key', second.body.apiKey).expect(200);
    await d.http.delete(`/admin/units/${housing}/api-key`).set('Authorization', admin).expect(204);
    await d.http.get('/agency/cases').set('X-Api-Key', second.body.apiKey).expect(401);
  });

  it('registers a webhook and tells the notifier (UnitContactsChanged; the next Assigned carries it)', async () => {
    await d.http.put('/agency/webhook').set('Authorization', d.agent(police)).send({ url: 'https://police.example/hook', secret: 'police-secret-0123456789' }).expect(204);
    const changed = await h.waitForEvent(`unit:${police}`, 'UnitContactsChanged');
    expect(changed.payload).toMatchObject({ unitId: police, unitContacts: { webhook: { url: 'https://police.example/hook' }, prefer: 'webhook' } });
    const id = await d.assigned(police);
    const assigned = await h.waitForEvent(id, 'Assigned');
    expect(assigned.payload).toMatchObject({ unitContacts: { webhook: { url: 'https://police.example/hook' } } });
    await d.http.put('/agency/webhook').set('Authorization', d.agent(police)).send({ url: 'not a url', secret: 'short' }).expect(400);
  });

  it('logs staff in with a password (argon2) and a JWT per role; wrong password or disabled account is 401', async () => {
    const login = await d.http.post('/auth/login').send({ username: 'root-admin', password: 'root-admin-password-1' }).expect(200);
    const admin = `Bearer ${login.body.token}`;
    await d.http.post('/admin/staff').set('Authorization', admin).send({ username: 'agent.zj', password: 'agent-password-1', role: 'unit', unitId: housing }).expect(201);
    await d.http.post('/admin/staff').set('Authorization', admin).send({ username: 'agent.zj', password: 'agent-password-1', role: 'unit', unitId: housing }).expect(409);
    await d.http.post('/admin/staff').set('Authorization', admin).send({ username: 'agent.x', password: 'agent-password-1', role: 'unit' }).expect(400);
    const [hashRow] = await d.db.query(`SELECT password_hash FROM router.staff_accounts WHERE username = 'agent.zj'`);
    expect(hashRow.password_hash).toMatch(/^\$argon2id\$/);

    await d.http.post('/auth/login').send({ username: 'agent.zj', password: 'wrong-password' }).expect(401);
    await d.http.post('/auth/login').send({ username: 'nobody', password: 'agent-password-1' }).expect(401);
    const agent = await d.http.post('/auth/login').send({ username: 'agent.zj', password: 'agent-password-1' }).expect(200);
    expect(agent.body).toMatchObject({ role: 'unit', unitId: housing });
    const id = await d.assigned(housing);
    await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', `Bearer ${agent.body.token}`).expect(200);
    expect((await h.waitForEvent(id, 'Accepted')).payload.actor).toBe('agent.zj');

    for (let i = 0; i < 5; i++) await d.http.post('/auth/login').send({ username: 'agent.zj', password: `guess-${i}` }).expect(401);
    const locked = await d.http.post('/auth/login').send({ username: 'agent.zj', password: 'agent-password-1' }).expect(429);
    expect(locked.body.error).toBe('too_many_attempts');
    await d.db.query(`UPDATE router.staff_accounts SET locked_until = now() - interval '1 second' WHERE username = 'agent.zj'`);
    await d.http.post('/auth/login').send({ username: 'agent.zj', password: 'agent-password-1' }).expect(200);

    const live = await d.http.post('/auth/login').send({ username: 'agent.zj', password: 'agent-password-1' }).expect(200);
    await d.http.patch('/admin/staff/agent.zj').set('Authorization', admin).send({ active: false }).expect(204);
    await d.http.post('/auth/login').send({ username: 'agent.zj', password: 'agent-password-1' }).expect(401);
    await d.http.get('/agency/cases').set('Authorization', `Bearer ${live.body.token}`).expect(401); // its token stops working at once
  });

  describe('role matrix', () => {
    const roles = ['desk', 'unit', 'supervisor', 'admin'] as const;
    const matrix: { method: 'get' | 'post'; path: string; allowed: (typeof roles)[number][] }[] = [
      { method: 'get', path: '/agency/cases', allowed: ['unit'] },
      { method: 'get', path: '/desk/queue', allowed: ['desk', 'supervisor', 'admin'] },
      { method: 'get', path: '/desk/decisions', allowed: ['desk', 'supervisor', 'admin'] },
      { method: 'post', path: '/desk/cases/none/extension-decision', allowed: ['desk'] },
      { method: 'get', path: '/supervision/overdue', allowed: ['supervisor', 'admin'] },
      { method: 'get', path: '/supervision/stats', allowed: ['supervisor', 'admin'] },
      { method: 'get', path: '/admin/staff', allowed: ['admin'] },
      { method: 'post', path: '/admin/units/none/api-key', allowed: ['admin'] },
      { method: 'get', path: '/admin/calendar/years', allowed: ['desk', 'supervisor', 'admin'] },
      { method: 'post', path: '/admin/calendar/years', allowed: ['admin'] },
    ];
    it.each(matrix)('$method $path is open to $allowed only', async ({ method, path, allowed }) => {
      await d.http[method](path).expect(401);
      for (const role of roles) {
        const res = await d.http[method](path).set('Authorization', `Bearer ${h.token(role, `${role}-m`, role === 'unit' ? housing : undefined)}`).send({});
        if (allowed.includes(role)) expect([role, res.status]).not.toEqual([role, 403]);
        else expect([role, res.status]).toEqual([role, 403]);
      }
    });
  });

  it('supervision: overdue lists, per-unit statistics with the rating minimum, and a CSV export', async () => {
    const late = await d.assigned(transport);
    await d.db.query(`UPDATE router.deadlines SET due_at = now() - interval '2 hours' WHERE inquiry_id = $1 AND clock = 'accept'`, [late]);
    const sup = `Bearer ${h.token('supervisor', 'jiwei-1')}`;
    const overdue = await d.http.get('/supervision/overdue').set('Authorization', sup).expect(200);
    expect(overdue.body.find((r: { inquiryId: string }) => r.inquiryId === late)).toMatchObject({ clock: 'accept', unitId: transport });
    const soon = await d.http.get('/supervision/due-soon?workingDays=5').set('Authorization', sup).expect(200);
    expect(soon.body.length).toBeGreaterThan(0);

    for (const rating of ['满意', '不满意'] as const) {
      const id = await d.replied(housing);
      await d.rate(id, rating);
      await h.waitForEvent(id, 'FeedbackRecorded');
    }
    await d.replied(housing, '已收悉，将转交相关部门');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const stats = await d.http.get(`/supervision/stats?period=week&date=${today}&minRatings=2`).set('Authorization', sup).expect(200);
    const unit = stats.body.units.find((u: { unitId: string }) => u.unitId === housing);
    expect(unit.received).toBeGreaterThanOrEqual(3);
    expect(unit.rated).toBeGreaterThanOrEqual(2);
    expect(unit.ranked).toBe(true);
    expect(unit.rank).toBeGreaterThanOrEqual(1);
    expect(unit.satisfactionRate).toBeGreaterThan(0);
    expect(unit.satisfactionRate).toBeLessThan(1);
    expect(unit.brushOffs).toBeGreaterThanOrEqual(1);
    expect(unit.reopened).toBeGreaterThanOrEqual(1);
    expect(stats.body.city.received).toBeGreaterThanOrEqual(unit.received);
    expect(stats.body.current.overdue).toBeGreaterThanOrEqual(1);
    expect(stats.body.current.open).toBeGreaterThanOrEqual(stats.body.current.overdue);
    const strict = await d.http.get(`/supervision/stats?period=week&date=${today}&minRatings=1000`).set('Authorization', sup).expect(200);
    expect(strict.body.units.find((u: { unitId: string }) => u.unitId === housing)).toMatchObject({ ranked: false, satisfactionRate: null, rank: null });

    const csv = await d.http.get(`/supervision/stats.csv?period=month&date=${today}`).set('Authorization', sup).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toContain('满意率');
    expect(lines[1]).toMatch(/^全市,/);
    expect(lines.some((l) => l.startsWith('市住建局,'))).toBe(true);
  });

  it('adds a calendar year through the admin API (409 when loaded, 400 when invalid)', async () => {
    const admin = `Bearer ${h.token('admin', 'admin-1')}`;
    const years = await d.http.get('/admin/calendar/years').set('Authorization', admin).expect(200);
    expect(years.body.map((y: { year: number }) => y.year)).toEqual(expect.arrayContaining([2024, 2025, 2026]));
    const y2026 = CHINA_HOLIDAYS.find((y) => y.year === 2026)!;
    const body = { year: 2026, source: y2026.source, days: y2026.days };
    const exists = await d.http.post('/admin/calendar/years').set('Authorization', admin).send(body).expect(409);
    expect(exists.body.error).toBe('calendar_year_exists');
    const replaced = await d.http.post('/admin/calendar/years').set('Authorization', admin).send({ ...body, replace: true }).expect(201);
    expect(replaced.body).toMatchObject({ year: 2026, holidays: y2026.days.filter((x) => x.kind === 'holiday').length });
    const invalid = await d.http
      .post('/admin/calendar/years')
      .set('Authorization', admin)
      .send({ year: 2027, source: '错误示例', days: [{ date: '2026-10-01', kind: 'holiday', name: '国庆节' }] })
      .expect(400);
    expect(invalid.body.error).toBe('calendar_invalid');
    await d.http.post('/admin/calendar/years').set('Authorization', admin).send({ year: 2026, source: 'x', days: [] }).expect(400);
  });
});
