import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface PreparedStatementPolicy {
  /** A text is named once it has been run this many times in the process: one-off SQL stays unnamed. */
  after: number;
  /** Named statements kept by one connection; beyond that, statements run unnamed (parsed each time). */
  perConnection: number;
}

const DEFAULT_POLICY: PreparedStatementPolicy = { after: 2, perConnection: 300 };
/** Texts whose result columns follow the table (`SELECT *`, `RETURNING *`) would fail after a column is added. */
const STAR_RESULT = /(?:^|[\s,(])(?:[a-z_][a-z0-9_]*\.)?\*\s*(?:,|FROM\b|$)/i;
/** `SELECT * FROM unnest($1::text[], …)` (with no join) reads typed parameters, never a table: its shape is fixed. */
const STAR_OF_UNNEST = /\*\s+FROM\s+unnest\(/gi;
/**
 * Statements over a batch of keys (`= ANY($n)`, `jsonb_to_recordset`) are planned with their values every time. A
 * named one got a generic plan while its table was still small (before autovacuum's first ANALYZE), and kept its
 * sequential scan as the table grew: in the end-to-end benchmark the router's batch updates read 9 M rows of
 * `cases` in a minute. They run once per batch, so planning each costs little.
 */
const PLANNED_PER_BATCH = /=\s*ANY\s*\(\s*\$\d|jsonb_to_recordset\s*\(/i;
const MAX_TRACKED_TEXTS = 5000;
const NAMERS = new WeakMap<pg.ClientBase, (text: string) => string | undefined>();

/**
 * Makes the pool's connections run repeated parameterised statements as named (prepared) statements, so
 * PostgreSQL parses and plans them once per connection instead of on every call: on the hot paths parsing
 * and binding cost the server more than executing. Statements whose result shape follows the table are left
 * unnamed, so a migration adding a column never breaks a running service's cached plan.
 */
export function prepareRepeatedStatements(pool: pg.Pool, policy: PreparedStatementPolicy = DEFAULT_POLICY): void {
  const runs = new Map<string, number>();
  const names = new Map<string, string>();
  /** Texts that are never named, so their patterns are matched once, not on every run. */
  const unnamed = new Set<string>();
  const nameOf = (text: string): string | undefined => {
    const known = names.get(text);
    if (known) return known;
    if (unnamed.has(text)) return undefined;
    if (PLANNED_PER_BATCH.test(text) || STAR_RESULT.test(text.replace(STAR_OF_UNNEST, ''))) {
      if (unnamed.size < MAX_TRACKED_TEXTS) unnamed.add(text);
      return undefined;
    }
    const count = (runs.get(text) ?? 0) + 1;
    if (runs.size < MAX_TRACKED_TEXTS || runs.has(text)) runs.set(text, count);
    if (count < policy.after) return undefined;
    const name = `wz_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (names.size < MAX_TRACKED_TEXTS) names.set(text, name);
    return name;
  };
  pool.on('connect', (client: pg.PoolClient) => {
    const prepared = new Set<string>();
    const nameFor = (text: string): string | undefined => {
      const name = nameOf(text);
      if (!name || !(prepared.has(name) || prepared.size < policy.perConnection)) return undefined;
      prepared.add(name);
      return name;
    };
    NAMERS.set(client, nameFor);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
      if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
        const name = nameFor(config);
        if (name) return query({ name, text: config, values }, callback);
      }
      return query(config, values, callback);
    };
  });
}

/** The prepared-statement name a client of such a pool uses for `text` now, or undefined to run it unnamed. */
export function preparedNameFor(client: pg.ClientBase, text: string): string | undefined {
  return NAMERS.get(client)?.(text);
}
