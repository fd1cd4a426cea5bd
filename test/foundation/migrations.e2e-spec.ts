import { createDataSource, migrate, revert, withPlatformMigrations } from '@app/common';
import { INGEST_APP_MIGRATIONS } from '../../apps/ingest-app/src/migrations/index.js';
import { INGEST_WECHAT_MIGRATIONS } from '../../apps/ingest-wechat/src/migrations/index.js';
import { INGEST_WEIBO_MIGRATIONS } from '../../apps/ingest-weibo/src/migrations/index.js';
import { NOTIFIER_MIGRATIONS } from '../../apps/notifier/src/migrations/index.js';
import { ROUTER_MIGRATIONS } from '../../apps/router/src/migrations/index.js';
import { TEST_DATABASE_URL } from '../support/test-env.js';

const SERVICES: [string, Function[]][] = [
  ['ingest_app', INGEST_APP_MIGRATIONS],
  ['ingest_wechat', INGEST_WECHAT_MIGRATIONS],
  ['ingest_weibo', INGEST_WEIBO_MIGRATIONS],
  ['router', ROUTER_MIGRATIONS],
  ['notifier', NOTIFIER_MIGRATIONS],
];

describe('migrations', () => {
  it.each(SERVICES)('of %s apply, revert completely with their down, and apply again', async (service, own) => {
    const schema = `mig_${service}`;
    const migrations = withPlatformMigrations(own);
    const dataSource = createDataSource({ url: TEST_DATABASE_URL, schema, migrations, poolSize: 2 });
    try {
      await dataSource.initialize();
      await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      expect(await migrate(dataSource, schema)).toHaveLength(migrations.length);
      expect(await migrate(dataSource, schema)).toHaveLength(0);

      await revert(dataSource, migrations.length);
      const left: { table_name: string }[] = await dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations'`,
        [schema],
      );
      expect(left).toEqual([]);

      expect(await migrate(dataSource, schema)).toHaveLength(migrations.length);
    } finally {
      await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await dataSource.destroy();
    }
  });
});
