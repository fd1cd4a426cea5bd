import pg from 'pg';
import { DataSource, type MixedList } from 'typeorm';
import { prepareRepeatedStatements } from './prepared-statements.js';

export interface DatabaseOptions {
  url: string;
  /** The schema this service owns; unqualified SQL resolves there first. */
  schema: string;
  migrations: MixedList<Function>;
  entities?: MixedList<Function>;
  poolSize?: number;
  applicationName?: string;
}

/** The pg module as TypeORM's driver, with pools whose connections prepare repeated statements. */
const preparingPg = {
  ...pg,
  Pool: class extends pg.Pool {
    constructor(config?: pg.PoolConfig) {
      super(config);
      prepareRepeatedStatements(this);
    }
  },
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function createDataSource(options: DatabaseOptions): DataSource {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name: ${options.schema}`);
  return new DataSource({
    type: 'postgres',
    driver: preparingPg,
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      options: `-c search_path=${options.schema},public`,
      application_name: options.applicationName ?? options.schema,
      connectionTimeoutMillis: 5000,
    },
  });
}

/** Creates the database named in the URL when it is missing (connecting to the server's `postgres` db). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing unusual database name: ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (error) {
      // Two services starting together may race to create it (42P04, or 23505 on pg_database's index).
      const code = (error as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw error;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Creates the service's schema and runs its pending migrations under an advisory lock, so several instances
 * starting at once do not run the same migration twice.
 */
export async function migrate(dataSource: DataSource, schema: string): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`wz.migrate.${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`wz.migrate.${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

/** Reverts the last `steps` migrations (every migration has a `down`). */
export async function revert(dataSource: DataSource, steps = 1): Promise<void> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  for (let i = 0; i < steps; i++) await dataSource.undoLastMigration({ transaction: 'each' });
}
