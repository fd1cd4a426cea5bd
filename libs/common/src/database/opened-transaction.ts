import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { pipelined, type Statement, type StatementResult } from './pipeline.js';

/** A held-back write, and who wants its result once it has run. */
interface HeldBack extends Statement {
  done?: (result: StatementResult) => void;
}

/** An open `transactionOpenedWith` transaction: its connection and the writes waiting for its next statement. */
interface Open {
  client: pg.ClientBase;
  heldBack: HeldBack[];
}

/** Runs the held-back writes and then `statements` in one round trip; answers the results of `statements`. */
async function withHeldBack(client: pg.ClientBase, heldBack: HeldBack[], statements: Statement[]): Promise<StatementResult[]> {
  const held = heldBack.splice(0);
  const results = await pipelined(client, [...held, ...statements]);
  held.forEach((h, i) => h.done?.(results[i]));
  return results.slice(held.length);
}
const OPEN = new WeakMap<EntityManager, Open>();

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * A transaction for hot paths that saves round trips: BEGIN travels with the `opening` statements (locks and the
 * reads everything else depends on, run in order; their rows are handed to `work`), or with the first statement
 * when there are none, and writes `work` hands to `writeBehind` travel with whatever the transaction sends next,
 * at the latest its COMMIT.
 */
export async function transactionOpenedWith<R>(
  dataSource: DataSource,
  opening: Statement[],
  work: (manager: EntityManager, openingRows: unknown[][]) => Promise<R>,
): Promise<R> {
  const runner = dataSource.createQueryRunner('master');
  let client: pg.ClientBase;
  try {
    client = (await runner.connect()) as pg.ClientBase;
  } catch (error) {
    await runner.release();
    throw error;
  }
  const patchable = client as unknown as { query?: Query };
  const own = Object.prototype.hasOwnProperty.call(client, 'query') ? patchable.query : undefined;
  const query = (client.query as Query).bind(client);
  // Without opening statements, BEGIN waits for the transaction's first statement like a held-back write.
  const heldBack: HeldBack[] = opening.length === 0 ? [{ text: 'BEGIN' }] : [];
  try {
    const [, ...results] = opening.length === 0 ? [] : await pipelined(client, [{ text: 'BEGIN' }, ...opening]);
    // The next statement takes the held-back writes along, in order: the transaction reads its own writes
    // exactly as if each had been sent on its own.
    patchable.query = (config, values, callback) => {
      if (heldBack.length === 0 || typeof config !== 'string' || callback !== undefined) return query(config, values, callback);
      return withHeldBack(client, heldBack, [{ text: config, values: values as unknown[] | undefined }]).then(([r]) => r);
    };
    OPEN.set(runner.manager, { client, heldBack });
    const result = await work(runner.manager, results.map((r) => r.rows));
    await withHeldBack(client, heldBack, [{ text: 'COMMIT' }]);
    return result;
  } catch (error) {
    // Also after a failed COMMIT, when there is no transaction left: PostgreSQL then only warns.
    await (query('ROLLBACK') as Promise<unknown>).catch(() => undefined);
    throw error;
  } finally {
    OPEN.delete(runner.manager);
    if (own) patchable.query = own;
    else delete patchable.query;
    await runner.release();
  }
}

/**
 * A write whose result nothing waits for: inside `transactionOpenedWith` it travels with the transaction's next
 * statement, or with its COMMIT, instead of taking a round trip of its own (if it fails, the transaction fails
 * there); anywhere else it runs now. `done` gets its result once it has run (rows of a top-level SELECT).
 */
export async function writeBehind(manager: EntityManager, statement: Statement, done?: (result: StatementResult) => void): Promise<void> {
  const open = OPEN.get(manager);
  if (open) {
    open.heldBack.push(done ? { ...statement, done } : statement);
    return;
  }
  const rows: unknown = await manager.query(statement.text, statement.values);
  done?.({ command: null, rowCount: Array.isArray(rows) ? rows.length : null, rows: Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [] });
}

/**
 * Several reads in one round trip inside `transactionOpenedWith` (with the held-back writes in front, run in
 * order); anywhere else one after the other. Answers each statement's rows.
 */
export async function readTogether(manager: EntityManager, statements: Statement[]): Promise<unknown[][]> {
  const open = OPEN.get(manager);
  if (!open) {
    const rows: unknown[][] = [];
    for (const s of statements) rows.push(await manager.query(s.text, s.values));
    return rows;
  }
  return (await withHeldBack(open.client, open.heldBack, statements)).map((r) => r.rows);
}

/** `transactionOpenedWith` without opening reads: BEGIN rides on the first statement, held-back writes on COMMIT. */
export function leanTransaction<R>(dataSource: DataSource, work: (manager: EntityManager) => Promise<R>): Promise<R> {
  return transactionOpenedWith(dataSource, [], (manager) => work(manager));
}
