// scripts/db.mjs against real servers: the machine's PostgreSQL, and the embedded one from npm.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { TEST_DATABASE_URL } from '../support/test-env.js';

interface DbScript {
  ensureDatabase(opts?: { databaseUrl?: string; database?: string; log?: (m: string) => void }): Promise<{
    databaseUrl: string;
    embedded: boolean;
    started: boolean;
    stop(): Promise<void>;
  }>;
  stopEmbedded(opts?: { log?: (m: string) => void }): Promise<boolean>;
}

const quiet = (): void => undefined;
const loadScript = async (): Promise<DbScript> =>
  (await import(pathToFileURL(resolve('scripts/db.mjs')).href)) as DbScript;

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('scripts/db.mjs', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['DATABASE_URL', 'WZ_PG_PROBE_URL', 'WZ_PG_DIR', 'WZ_PG_PORT', 'WZ_DB_NAME']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('creates the database named in DATABASE_URL when it is missing, and leaves it alone the second time', async () => {
    const db = await loadScript();
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/wenzheng_dev_tooling_t';
    await query(new URL('/postgres', url).toString(), 'DROP DATABASE IF EXISTS wenzheng_dev_tooling_t');

    const first = await db.ensureDatabase({ databaseUrl: url.toString(), log: quiet });
    const second = await db.ensureDatabase({ databaseUrl: url.toString(), log: quiet });

    expect(first).toMatchObject({ databaseUrl: url.toString(), embedded: false, started: false });
    expect(second.databaseUrl).toBe(url.toString());
    expect(await query(url.toString(), 'SELECT current_database() AS name')).toEqual([{ name: 'wenzheng_dev_tooling_t' }]);
    await query(new URL('/postgres', url).toString(), 'DROP DATABASE wenzheng_dev_tooling_t');
  });

  it('starts the embedded PostgreSQL when no server answers, and stops it', async () => {
    const db = await loadScript();
    const home = mkdtempSync(join(tmpdir(), 'wz-dev-tooling-pg-'));
    chmodSync(home, 0o755); // as root the server runs as `postgres`, which must reach the folder
    delete process.env.DATABASE_URL;
    process.env.WZ_PG_PROBE_URL = 'postgres://postgres@127.0.0.1:1/nothing'; // nothing listens on port 1
    process.env.WZ_PG_DIR = home;
    process.env.WZ_PG_PORT = '54349';
    try {
      const handle = await db.ensureDatabase({ database: 'wenzheng_dev_tooling', log: quiet });
      expect(handle).toMatchObject({ embedded: true, started: true });
      expect(new URL(handle.databaseUrl).port).toBe('54349');
      const [row] = await query(handle.databaseUrl, 'SELECT current_database() AS name, current_setting($$server_version_num$$)::int AS version');
      expect(row).toEqual({ name: 'wenzheng_dev_tooling', version: expect.any(Number) });

      const again = await db.ensureDatabase({ database: 'wenzheng_dev_tooling', log: quiet });
      expect(again).toMatchObject({ databaseUrl: handle.databaseUrl, embedded: true, started: false });
      await again.stop(); // did not start it: must not stop it
      await expect(query(handle.databaseUrl, 'SELECT 1')).resolves.toHaveLength(1);

      await handle.stop();
      await expect(query(handle.databaseUrl, 'SELECT 1')).rejects.toThrow();
    } finally {
      await db.stopEmbedded({ log: quiet }).catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    }
  });
});
