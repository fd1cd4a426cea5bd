import type { DataSource } from 'typeorm';
import { createDataSource } from '../../libs/common/src/database/data-source.js';
import { TEST_DATABASE_URL } from './test-env.js';

/** A data source on a fresh, empty schema of the test database, for tests of the database plumbing itself. */
export async function scratchDataSource(schema: string): Promise<DataSource> {
  const dataSource = createDataSource({ url: TEST_DATABASE_URL, schema, migrations: [], poolSize: 2 });
  await dataSource.initialize();
  await dataSource.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  return dataSource;
}

export async function dropScratch(dataSource: DataSource, schema: string): Promise<void> {
  await dataSource.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await dataSource.destroy();
}
