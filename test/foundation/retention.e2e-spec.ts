import pino from 'pino';
import type { DataSource } from 'typeorm';
import { RetentionSweeper } from '../../libs/common/src/database/retention.js';
import { dropScratch, scratchDataSource } from '../support/scratch-schema.js';

const SCHEMA = 'retention_probe';

describe('retention sweep on the real database', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await scratchDataSource(SCHEMA);
    await dataSource.query(`CREATE TABLE ${SCHEMA}.processed_messages (id int PRIMARY KEY, processed_at timestamptz NOT NULL)`);
    await dataSource.query(`CREATE TABLE ${SCHEMA}.deliveries (id int PRIMARY KEY, status text NOT NULL, created_at timestamptz NOT NULL)`);
  });

  afterAll(() => dropScratch(dataSource, SCHEMA));

  const ids = async (table: string): Promise<number[]> =>
    (await dataSource.query(`SELECT id FROM ${SCHEMA}.${table} ORDER BY id`)).map((r: { id: number }) => r.id);

  it('deletes rows past their days in batches, keeps younger ones and those the rule does not cover', async () => {
    // 23 expired records (more than two batches of 10) and 2 young ones.
    await dataSource.query(
      `INSERT INTO ${SCHEMA}.processed_messages SELECT g, now() - interval '31 days' FROM generate_series(1, 23) g
       UNION ALL SELECT g, now() - interval '29 days' FROM generate_series(24, 25) g`,
    );
    await dataSource.query(
      `INSERT INTO ${SCHEMA}.deliveries VALUES (1, 'sent', now() - interval '500 days'), (2, 'pending', now() - interval '500 days'),
              (3, 'dead', now() - interval '500 days'), (4, 'sent', now() - interval '10 days')`,
    );
    const sweeper = new RetentionSweeper(
      dataSource,
      [
        { table: 'processed_messages', column: 'processed_at', days: 30 },
        { table: 'deliveries', column: 'created_at', days: 400, onlyWhere: `status IN ('sent', 'cancelled', 'dead', 'uncertain')` },
      ],
      pino({ level: 'silent' }),
      10,
    );
    expect(await sweeper.sweep()).toEqual({ processed_messages: 23, deliveries: 2 });
    expect(await ids('processed_messages')).toEqual([24, 25]);
    expect(await ids('deliveries')).toEqual([2, 4]);
    expect(await sweeper.sweep()).toEqual({ processed_messages: 0, deliveries: 0 });
  });

  it('keeps everything when a rule says 0 days, and refuses table names that are not plain identifiers', async () => {
    await dataSource.query(`INSERT INTO ${SCHEMA}.processed_messages VALUES (100, now() - interval '9999 days')`);
    const keep = new RetentionSweeper(dataSource, [{ table: 'processed_messages', column: 'processed_at', days: 0 }], pino({ level: 'silent' }));
    expect(await keep.sweep()).toEqual({});
    expect(await ids('processed_messages')).toContain(100);
    expect(() => new RetentionSweeper(dataSource, [{ table: 'x; DROP TABLE y', column: 'at', days: 1 }], pino({ level: 'silent' }))).toThrow(/invalid retention rule/);
  });
});
