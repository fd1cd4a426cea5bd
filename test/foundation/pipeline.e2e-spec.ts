import pg from 'pg';
import type { DataSource } from 'typeorm';
import { readTogether, transactionOpenedWith, writeBehind } from '../../libs/common/src/database/opened-transaction.js';
import { pipelined } from '../../libs/common/src/database/pipeline.js';
import { prepareRepeatedStatements } from '../../libs/common/src/database/prepared-statements.js';
import { dropScratch, scratchDataSource } from '../support/scratch-schema.js';
import { TEST_DATABASE_URL } from '../support/test-env.js';

const SCHEMA = 'pipeline_probe';

describe('pipelined statements on the real database', () => {
  let pool: pg.Pool;
  let client: pg.PoolClient;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    prepareRepeatedStatements(pool, { after: 1, perConnection: 10 });
    client = await pool.connect();
    await client.query('DROP TABLE IF EXISTS public.pipe_probe; CREATE TABLE public.pipe_probe (id int PRIMARY KEY, note text)');
  });

  afterAll(async () => {
    await client.query('DROP TABLE IF EXISTS public.pipe_probe');
    client.release();
    await pool.end();
  });

  const prepared = async (): Promise<string[]> =>
    (await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map((r) => r.statement);

  it('runs the statements in order in one round trip and answers each one', async () => {
    const results = await pipelined(client, [
      { text: 'BEGIN' },
      { text: 'INSERT INTO public.pipe_probe (id, note) VALUES ($1, $2), ($3, $4)', values: [1, 'a', 2, 'b'] },
      { text: 'UPDATE public.pipe_probe SET note = $2 WHERE id = $1', values: [2, 'B'] },
      { text: 'SELECT id, note FROM public.pipe_probe WHERE id = ANY($1::int[]) ORDER BY id', values: [[1, 2]] },
      { text: 'COMMIT' },
    ]);
    expect(results.map((r) => r.command)).toEqual(['BEGIN', 'INSERT', 'UPDATE', 'SELECT', 'COMMIT']);
    expect(results[1].rowCount).toBe(2);
    expect(results[3].rows).toEqual([
      { id: 1, note: 'a' },
      { id: 2, note: 'B' },
    ]);
  });

  it('stops at the first error, leaves the transaction for a rollback, and the connection stays usable', async () => {
    await expect(
      pipelined(client, [
        { text: 'BEGIN' },
        { text: 'INSERT INTO public.pipe_probe (id, note) VALUES ($1, $2)', values: [10, 'x'] },
        { text: 'INSERT INTO public.pipe_probe (id, note) VALUES ($1, $2)', values: [1, 'duplicate'] },
        { text: 'INSERT INTO public.pipe_probe (id, note) VALUES ($1, $2)', values: [11, 'y'] },
        { text: 'COMMIT' },
      ]),
    ).rejects.toMatchObject({ code: '23505' });
    await client.query('ROLLBACK');
    const { rows } = await client.query('SELECT id FROM public.pipe_probe WHERE id IN (10, 11)');
    expect(rows).toEqual([]);
  });

  it('prepares repeated texts once per connection, also after a pipeline failed between parse and run', async () => {
    const text = 'SELECT note FROM public.pipe_probe WHERE id = $1::int';
    // Parsed (named), then refused at bind: the statement exists on the server but never ran here.
    await expect(pipelined(client, [{ text, values: ['not a number'] }])).rejects.toMatchObject({ code: '22P02' });
    expect((await pipelined(client, [{ text, values: [1] }]))[0].rows).toEqual([{ note: 'a' }]);
    expect(await prepared()).toContain(text);
    // The plain query path knows it is parsed and does not parse it again.
    expect((await client.query(text, [2])).rows).toEqual([{ note: 'B' }]);
  });

  it('parses a text that comes twice in one pipeline once, and runs it twice', async () => {
    const text = 'SELECT $1::int * 2 AS doubled';
    const results = await pipelined(client, [
      { text, values: [2] },
      { text, values: [5] },
    ]);
    expect(results.map((r) => r.rows)).toEqual([[{ doubled: 4 }], [{ doubled: 10 }]]);
    expect(await prepared()).toContain(text);
  });

  it('refuses a value it cannot send without writing anything', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(pipelined(client, [{ text: 'SELECT $1::jsonb AS v', values: [circular] }])).rejects.toThrow();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('transactions opened with their reads, writes sent behind', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await scratchDataSource(SCHEMA);
    await dataSource.query(`CREATE TABLE ${SCHEMA}.items (id int PRIMARY KEY, note text NOT NULL)`);
  });

  afterAll(() => dropScratch(dataSource, SCHEMA));

  const notes = async (): Promise<string[]> =>
    (await dataSource.query(`SELECT note FROM ${SCHEMA}.items ORDER BY id`)).map((r: { note: string }) => r.note);

  it('hands the opening rows to the work, lets it read its own held-back writes, and commits them', async () => {
    await dataSource.query(`INSERT INTO ${SCHEMA}.items VALUES (1, 'before')`);
    const seen = await transactionOpenedWith(dataSource, [{ text: `SELECT note FROM ${SCHEMA}.items WHERE id = $1`, values: [1] }], async (m, [rows]) => {
      expect(rows).toEqual([{ note: 'before' }]);
      await writeBehind(m, { text: `INSERT INTO ${SCHEMA}.items VALUES ($1, $2)`, values: [2, 'held back'] });
      await writeBehind(m, { text: `UPDATE ${SCHEMA}.items SET note = $2 WHERE id = $1`, values: [1, 'changed'] });
      // Not yet sent: another connection cannot see them, and this transaction's next read carries them along.
      expect(await notes()).toEqual(['before']);
      return (await m.query(`SELECT note FROM ${SCHEMA}.items ORDER BY id`)).map((r: { note: string }) => r.note);
    });
    expect(seen).toEqual(['changed', 'held back']);
    expect(await notes()).toEqual(['changed', 'held back']);
  });

  it('a held-back write that fails at COMMIT rolls everything back', async () => {
    await expect(
      transactionOpenedWith(dataSource, [], async (m) => {
        await m.query(`INSERT INTO ${SCHEMA}.items VALUES ($1, $2)`, [3, 'sent at once']);
        await writeBehind(m, { text: `INSERT INTO ${SCHEMA}.items VALUES ($1, $2)`, values: [1, 'duplicate key'] });
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await notes()).toEqual(['changed', 'held back']);
    // The connection went back to the pool clean: the next transaction works.
    await transactionOpenedWith(dataSource, [], (m) => writeBehind(m, { text: `INSERT INTO ${SCHEMA}.items VALUES ($1, $2)`, values: [3, 'after'] }));
    expect(await notes()).toEqual(['changed', 'held back', 'after']);
  });

  it('reads several statements together, after the writes held back before them, inside and outside', async () => {
    const reads = [
      { text: `SELECT count(*)::int AS n FROM ${SCHEMA}.items`, values: [] },
      { text: `SELECT note FROM ${SCHEMA}.items WHERE id = $1`, values: [50] },
    ];
    const inside = await transactionOpenedWith(dataSource, [], async (m) => {
      await writeBehind(m, { text: `INSERT INTO ${SCHEMA}.items VALUES ($1, $2)`, values: [50, 'read back'] });
      return readTogether(m, reads);
    });
    expect(inside).toEqual([[{ n: 4 }], [{ note: 'read back' }]]);
    expect(await dataSource.transaction((m) => readTogether(m, reads))).toEqual([[{ n: 4 }], [{ note: 'read back' }]]);
    await dataSource.query(`DELETE FROM ${SCHEMA}.items WHERE id = 50`);
  });

  it('outside such a transaction a write is sent at once', async () => {
    await dataSource.transaction((m) => writeBehind(m, { text: `INSERT INTO ${SCHEMA}.items VALUES ($1, $2)`, values: [4, 'now'] }));
    expect(await notes()).toEqual(['changed', 'held back', 'after', 'now']);
  });
});
