import type { DataSource } from 'typeorm';
import { SharedTransactions } from '../../libs/common/src/database/shared-transactions.js';
import { writeBehind } from '../../libs/common/src/database/opened-transaction.js';
import { currentTrace, withTrace } from '../../libs/common/src/logging/trace-context.js';
import { dropScratch, scratchDataSource } from '../support/scratch-schema.js';

const SCHEMA = 'group_commit_probe';

describe('SharedTransactions on the real database', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await scratchDataSource(SCHEMA);
    await dataSource.query(`CREATE TABLE ${SCHEMA}.items (id int PRIMARY KEY, note text NOT NULL)`);
  });

  afterAll(() => dropScratch(dataSource, SCHEMA));

  const insert = (id: number, note: string) => (manager: Parameters<Parameters<SharedTransactions['run']>[0]>[0]) =>
    writeBehind(manager, { text: `INSERT INTO ${SCHEMA}.items (id, note) VALUES ($1, $2)`, values: [id, note] }).then(() => id);

  /** Rows written by one transaction share its id (xmin). */
  const transactionsOf = async (from: number, to: number): Promise<number> =>
    Number((await dataSource.query(`SELECT count(DISTINCT xmin::text)::int AS n FROM ${SCHEMA}.items WHERE id BETWEEN $1 AND $2`, [from, to]))[0].n);

  it('commits the works that arrive during a commit together, and answers each its own result', async () => {
    const commits = new SharedTransactions(dataSource);
    const ids = Array.from({ length: 50 }, (_, i) => 100 + i);
    const results = await Promise.all(ids.map((id) => commits.run(insert(id, `n${id}`))));
    expect(results).toEqual(ids);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.items WHERE id BETWEEN 100 AND 149`)).toEqual([{ n: 50 }]);
    // The first commits at once; the 49 that came while it was in flight share the next transaction.
    expect(await transactionsOf(100, 149)).toBe(2);
  });

  it('a lone work commits at once, in a transaction of its own', async () => {
    const commits = new SharedTransactions(dataSource);
    await commits.run(insert(200, 'alone'));
    await commits.run(insert(201, 'alone too'));
    expect(await transactionsOf(200, 201)).toBe(2);
  });

  it('a failing work fails alone with its own error; the others of its shared transaction commit', async () => {
    const commits = new SharedTransactions(dataSource);
    const outcomes = await Promise.allSettled([
      commits.run(insert(300, 'first')),
      commits.run(insert(301, 'shares')),
      commits.run(insert(100, 'duplicate key')),
      commits.run(async (manager) => {
        await insert(302, 'refused by its work')(manager);
        throw new Error('refused');
      }),
      commits.run(insert(303, 'shares too')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused' });
    const rows = await dataSource.query(`SELECT id, note FROM ${SCHEMA}.items WHERE id BETWEEN 300 AND 303 OR id = 100 ORDER BY id`);
    expect(rows).toEqual([
      { id: 100, note: 'n100' },
      { id: 300, note: 'first' },
      { id: 301, note: 'shares' },
      { id: 303, note: 'shares too' },
    ]);
  });

  it("runs each work in its caller's trace context", async () => {
    const commits = new SharedTransactions(dataSource);
    const seen = await Promise.all(
      ['trace-a', 'trace-b', 'trace-c'].map((traceId, i) =>
        withTrace({ traceId }, () =>
          commits.run(async (manager) => {
            await insert(400 + i, traceId)(manager);
            return currentTrace()?.traceId;
          }),
        ),
      ),
    );
    expect(seen).toEqual(['trace-a', 'trace-b', 'trace-c']);
    expect(await transactionsOf(400, 402)).toBe(2);
  });
});
