import { createDataSource, migrate, revert, withPlatformMigrations } from '@app/common';
import { INGEST_WECHAT_MIGRATIONS } from '../../apps/ingest-wechat/src/migrations/index.js';
import { NOTIFIER_MIGRATIONS } from '../../apps/notifier/src/migrations/index.js';
import { TEST_DATABASE_URL } from '../support/test-env.js';

/** The shared token table is created by whichever service migrates first and survives any one service's `down`. */
describe('the shared access-token table across two services’ migrations', () => {
  const services = [
    ['mig_tok_notifier', withPlatformMigrations(NOTIFIER_MIGRATIONS)],
    ['mig_tok_wechat', withPlatformMigrations(INGEST_WECHAT_MIGRATIONS)],
  ] as const;
  const sources = services.map(([schema, migrations]) => createDataSource({ url: TEST_DATABASE_URL, schema, migrations, poolSize: 2 }));

  afterAll(async () => {
    for (const [i, ds] of sources.entries()) {
      await ds.query(`DROP SCHEMA IF EXISTS "${services[i][0]}" CASCADE`).catch(() => undefined);
      await ds.destroy();
    }
  });

  const tableExists = async (): Promise<boolean> =>
    (await sources[0].query(`SELECT to_regclass('wz_shared.access_tokens') IS NOT NULL AS found`))[0].found;
  const users = async (): Promise<string[]> =>
    (await sources[0].query(`SELECT service_schema FROM wz_shared.access_token_users ORDER BY 1`)).map((r: { service_schema: string }) => r.service_schema);

  it('migrates both services at once, keeps the tokens when one reverts, and is gone only after the last', async () => {
    for (const ds of sources) await ds.initialize();
    for (const [i, ds] of sources.entries()) await ds.query(`DROP SCHEMA IF EXISTS "${services[i][0]}" CASCADE`);
    await Promise.all(sources.map((ds, i) => migrate(ds, services[i][0])));
    expect(await users()).toEqual(expect.arrayContaining(['mig_tok_notifier', 'mig_tok_wechat']));
    await sources[0].query(
      `INSERT INTO wz_shared.access_tokens (vendor, account, token, expires_at) VALUES ('wechat', 'wx-migration-test', 'T', now() + interval '1 hour')`,
    );

    await revert(sources[0], services[0][1].length);
    const [row] = await sources[1].query(`SELECT token FROM wz_shared.access_tokens WHERE account = 'wx-migration-test'`);
    expect(row.token).toBe('T');
    expect(await users()).not.toContain('mig_tok_notifier');

    // Applying again is idempotent: the table is there already, the service registers again.
    expect(await migrate(sources[0], services[0][0])).toHaveLength(services[0][1].length);
    await revert(sources[0], services[0][1].length);
    await sources[1].query(`DELETE FROM wz_shared.access_tokens WHERE account = 'wx-migration-test'`);
    const others = (await users()).filter((u) => u !== 'mig_tok_wechat');
    await revert(sources[1], services[1][1].length);
    // Other services of this database (the other test files) may still use it: dropped only if none does.
    expect(await tableExists()).toBe(others.length > 0);
  });
});
