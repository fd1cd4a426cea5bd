import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SHARED_TOKEN_SCHEMA, SHARED_TOKEN_TABLE } from './access-token-store.js';

const USERS = `${SHARED_TOKEN_SCHEMA}.access_token_users`;

/**
 * The shared token table (`AccessTokenStore`), listed in the migrations of every service that uses it.
 * Each service's run is idempotent (IF NOT EXISTS) and registers the service's schema as a user; `down`
 * removes only that registration and drops the table when no service uses it any more, so reverting one
 * service never takes the tokens from another. A lock orders two services migrating at the same moment.
 */
export class SharedAccessTokens1764400000000 implements MigrationInterface {
  name = 'SharedAccessTokens1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wz.migrate.${SHARED_TOKEN_SCHEMA}`]);
    await q.query(`CREATE SCHEMA IF NOT EXISTS ${SHARED_TOKEN_SCHEMA}`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS ${SHARED_TOKEN_TABLE} (
        vendor     text NOT NULL,
        account    text NOT NULL,
        token      text NOT NULL,
        expires_at timestamptz NOT NULL,
        fetched_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (vendor, account)
      )`);
    await q.query(`CREATE TABLE IF NOT EXISTS ${USERS} (service_schema text PRIMARY KEY, since timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO ${USERS} (service_schema) VALUES (current_schema()) ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wz.migrate.${SHARED_TOKEN_SCHEMA}`]);
    await q.query(`DELETE FROM ${USERS} WHERE service_schema = current_schema()`);
    const [left] = await q.query(`SELECT count(*)::int AS n FROM ${USERS}`);
    if (left.n > 0) return;
    await q.query(`DROP TABLE ${SHARED_TOKEN_TABLE}`);
    await q.query(`DROP TABLE ${USERS}`);
    await q.query(`DROP SCHEMA IF EXISTS ${SHARED_TOKEN_SCHEMA}`);
  }
}
