import request from 'supertest';
import { DataSource } from 'typeorm';
import { startRouter, type RouterHarness } from './router-support.js';

describe('router: the unit registry', () => {
  let h: RouterHarness;
  let db: DataSource;
  let http: ReturnType<typeof request>;
  const admin = () => `Bearer ${h.token('admin', 'admin-1')}`;

  beforeAll(async () => {
    h = await startRouter();
    db = h.app.get(DataSource);
    http = request(h.app.getHttpServer());
  });
  afterAll(async () => h?.close());

  it('lets only administrators change units', async () => {
    await http.get('/admin/units').set('Authorization', `Bearer ${h.token('supervisor')}`).expect(200);
    await http
      .post('/admin/units')
      .set('Authorization', `Bearer ${h.token('desk')}`)
      .send({ name: '某单位', shortName: '某单位', kind: 'agency', area: 'city' })
      .expect(403);
  });

  it('validates a new unit and refuses a short name in use', async () => {
    await http.post('/admin/units').set('Authorization', admin()).send({ name: '', kind: 'x' }).expect(400);
    await http
      .post('/admin/units')
      .set('Authorization', admin())
      .send({ name: '榆林市教育局', shortName: '市教育局', kind: 'department', area: 'city' })
      .expect(409);
  });

  it('adds, edits, merges and retires units, keeping every version in the history', async () => {
    const a = await http
      .post('/admin/units')
      .set('Authorization', admin())
      .send({ name: '榆林市数据局', shortName: '市数据局', kind: 'department', area: 'city', emails: ['data@yl.gov.cn'], reason: '机构改革新设' })
      .expect(201);
    const b = await http
      .post('/admin/units')
      .set('Authorization', admin())
      .send({ name: '榆林市大数据中心', shortName: '市大数据中心', kind: 'agency', area: 'city' })
      .expect(201);

    const edited = await http
      .patch(`/admin/units/${b.body.id}`)
      .set('Authorization', admin())
      .send({ name: '榆林市大数据服务中心', reason: '更名' })
      .expect(200);
    expect(edited.body).toMatchObject({ name: '榆林市大数据服务中心', version: 2 });

    await http
      .put('/admin/dispatch-rules/big-data')
      .set('Authorization', admin())
      .send({ keywords: ['政务数据', '数据开放'], scope: 'city', unitId: b.body.id })
      .expect(204);

    const merged = await http
      .post(`/admin/units/${b.body.id}/merge`)
      .set('Authorization', admin())
      .send({ intoUnitId: a.body.id, reason: '职能并入市数据局' })
      .expect(200);
    expect(merged.body).toMatchObject({ active: false, mergedInto: a.body.id, name: '榆林市大数据服务中心' });
    const [rule] = await db.query(`SELECT unit_id FROM router.dispatch_rules WHERE id = 'big-data'`);
    expect(rule.unit_id).toBe(a.body.id);
    await http.patch(`/admin/units/${b.body.id}`).set('Authorization', admin()).send({ name: 'x' }).expect(422);

    await http.post(`/admin/units/${a.body.id}/retire`).set('Authorization', admin()).send({ reason: '测试撤销' }).expect(200);
    await http.post(`/admin/units/${a.body.id}/retire`).set('Authorization', admin()).send({ reason: '再次' }).expect(422);

    const history = await http.get(`/admin/units/${b.body.id}/history`).set('Authorization', admin()).expect(200);
    expect(history.body.map((v: { version: number; action: string }) => [v.version, v.action])).toEqual([
      [1, 'created'],
      [2, 'edited'],
      [3, 'merged'],
    ]);
    expect(history.body[0].snapshot.name).toBe('榆林市大数据中心');
    expect(history.body[2].actor).toBe('admin-1');

    const active = await http.get('/admin/units').set('Authorization', admin()).expect(200);
    expect(active.body.map((u: { id: string }) => u.id)).not.toContain(a.body.id);
    const all = await http.get('/admin/units?all=true').set('Authorization', admin()).expect(200);
    expect(all.body.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([a.body.id, b.body.id]));
  });

  it('keeps seeded units at their reference version after a restart (the seed never overwrites)', async () => {
    const [unit] = await db.query(`SELECT id FROM router.units WHERE short_name = '市体育局'`);
    await http.patch(`/admin/units/${unit.id}`).set('Authorization', admin()).send({ emails: ['tyj@yl.gov.cn'] }).expect(200);
    const again = await startRouter();
    try {
      const [row] = await db.query(`SELECT emails, version FROM router.units WHERE id = $1`, [unit.id]);
      expect(row).toEqual({ emails: ['tyj@yl.gov.cn'], version: 2 });
    } finally {
      await again.close();
    }
  });
});
