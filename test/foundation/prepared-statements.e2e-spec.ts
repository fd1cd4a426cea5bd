import pg from 'pg';
import { prepareRepeatedStatements } from '../../libs/common/src/database/prepared-statements.js';
import { TEST_DATABASE_URL } from '../support/test-env.js';

describe('prepared statements on the real database', () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    prepareRepeatedStatements(pool, { after: 2, perConnection: 3 });
    await pool.query('DROP TABLE IF EXISTS public.prep_probe; CREATE TABLE public.prep_probe (id int PRIMARY KEY, note text)');
  });

  afterAll(async () => {
    await pool.query('DROP TABLE IF EXISTS public.prep_probe');
    await pool.end();
  });

  const prepared = async (): Promise<string[]> =>
    (await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY statement')).rows.map((r) => r.statement);

  it('names a parameterised statement from its second run on, and its results stay right', async () => {
    const insert = 'INSERT INTO public.prep_probe (id, note) VALUES ($1, $2) RETURNING id';
    expect((await pool.query(insert, [1, 'a'])).rows).toEqual([{ id: 1 }]);
    expect(await prepared()).not.toContain(insert);
    expect((await pool.query(insert, [2, 'b'])).rows).toEqual([{ id: 2 }]);
    expect((await pool.query(insert, [3, 'c'])).rows).toEqual([{ id: 3 }]);
    expect(await prepared()).toContain(insert);
    await expect(pool.query(insert, [3, 'dup'])).rejects.toMatchObject({ code: '23505' });
    expect((await pool.query(insert, [4, 'd'])).rows).toEqual([{ id: 4 }]);
  });

  it('leaves star results unnamed, so adding a column does not break them', async () => {
    const star = 'SELECT * FROM public.prep_probe WHERE id = $1';
    for (let i = 0; i < 3; i++) await pool.query(star, [1]);
    expect(await prepared()).not.toContain(star);
    await pool.query('ALTER TABLE public.prep_probe ADD COLUMN extra text');
    expect((await pool.query(star, [1])).rows[0]).toEqual({ id: 1, note: 'a', extra: null });
  });

  it('names statements whose star reads typed parameters (unnest), whose shape no migration changes', async () => {
    const insert = 'INSERT INTO public.prep_probe (id, note) SELECT * FROM unnest($1::int[], $2::text[])';
    for (let i = 0; i < 3; i++) await pool.query(insert, [[10 + i], [`u${i}`]]);
    expect(await prepared()).toContain(insert);
  });

  it('plans statements over a batch of keys with their values every time (unnamed)', async () => {
    const batch = 'SELECT id FROM public.prep_probe WHERE id = ANY($1::int[]) ORDER BY id';
    const recordset = `SELECT x.id FROM jsonb_to_recordset($1::jsonb) AS x(id int) JOIN public.prep_probe p ON p.id = x.id`;
    for (let i = 0; i < 8; i++) {
      expect((await pool.query(batch, [[1, 2]])).rows).toEqual([{ id: 1 }, { id: 2 }]);
      expect((await pool.query(recordset, [JSON.stringify([{ id: 1 }])])).rows).toEqual([{ id: 1 }]);
    }
    const names = await prepared();
    expect(names).not.toContain(batch);
    expect(names).not.toContain(recordset);
  });

  it('keeps at most the allowed number per connection and runs the rest unnamed', async () => {
    for (let k = 0; k < 5; k++) {
      const text = `SELECT $1::int + ${k} AS v`;
      for (let i = 0; i < 3; i++) expect((await pool.query(text, [i])).rows[0].v).toBe(i + k);
    }
    expect((await prepared()).length).toBeLessThanOrEqual(3);
  });
});
