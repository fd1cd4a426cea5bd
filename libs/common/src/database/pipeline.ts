import type pg from 'pg';
import Result from 'pg/lib/result.js';
import pgUtils from 'pg/lib/utils.js';
import { preparedNameFor } from './prepared-statements.js';

/** One parameterised statement. */
export interface Statement {
  text: string;
  values?: unknown[];
}

/** What node-postgres answers for one statement. */
export interface StatementResult {
  command: string | null;
  rowCount: number | null;
  rows: Record<string, unknown>[];
}

/** The parts of node-postgres' connection a submitted query writes to (pg/lib/connection.js). */
interface Connection {
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string>;
  parse(query: { text: string; name?: string; types?: number[] }): void;
  bind(config: { statement?: string; values: unknown[] }): void;
  describe(msg: { type: 'P'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  close(msg: { type: 'S'; name: string }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

interface Planned {
  text: string;
  values: unknown[];
  /** Named (prepared) statement, or undefined for the unnamed one. */
  name?: string;
  /** Parse it in this pipeline (unnamed, or named but not parsed on this connection yet). */
  parse: boolean;
}

/**
 * Several statements in one round trip (PostgreSQL's extended protocol with a single Sync): one write, one
 * wait. They run in order; an error stops the rest, and inside an explicit transaction leaves it aborted for the
 * caller's ROLLBACK. A node-postgres Submittable, so it takes its turn in the client's queue like any query.
 */
class PipelinedQuery {
  private readonly results: Result[];
  private current = 0;
  private failed = false;

  constructor(
    private readonly planned: Planned[],
    types: { getTypeParser: pg.Client['getTypeParser'] },
    private readonly settle: (error: unknown, results?: StatementResult[]) => void,
  ) {
    this.results = planned.map(() => new Result(undefined, types));
  }

  submit(connection: Connection): Error | null {
    connection.stream.cork?.();
    try {
      for (const s of this.planned) {
        if (s.parse) {
          // A named statement a failed pipeline parsed but never ran may exist on the server; closing a
          // statement that does not exist is not an error.
          if (s.name) connection.close({ type: 'S', name: s.name });
          connection.parse({ text: s.text, name: s.name ?? '', types: [] });
        }
        connection.bind({ statement: s.name ?? '', values: s.values });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: unknown[] }): void {
    this.results[this.current].addFields(msg.fields);
  }

  handleDataRow(msg: { fields: unknown[] }): void {
    const result = this.results[this.current];
    result.addRow(result.parseRow(msg.fields));
  }

  handleCommandComplete(msg: unknown, connection: Connection): void {
    const s = this.planned[this.current];
    if (s.name) connection.parsedStatements[s.name] = s.text;
    this.results[this.current].addCommandComplete(msg);
    this.current++;
  }

  handleEmptyQuery(): void {
    this.current++;
  }

  handleError(error: unknown): void {
    this.failed = true;
    this.settle(error);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.settle(null, this.results as StatementResult[]);
  }

  handlePortalSuspended(): void {
    // Never sent: every Execute asks for all rows.
  }

  handleCopyInResponse(connection: Connection): void {
    connection.sendCopyFail('COPY is not supported in a pipeline');
  }

  handleCopyData(): void {
    // COPY is refused above.
  }
}

/**
 * Runs the statements in one round trip and returns each one's result. Values are converted before anything is
 * written, so a value that cannot be sent fails the call without touching the connection. Repeated texts use
 * the connection's prepared statements (see prepared-statements.ts).
 */
export function pipelined(client: pg.ClientBase, statements: Statement[]): Promise<StatementResult[]> {
  const connection = (client as unknown as { connection: Connection }).connection;
  let planned: Planned[];
  const parsedHere = new Set<string>();
  try {
    planned = statements.map((s) => {
      const name = s.values?.length ? preparedNameFor(client, s.text) : undefined;
      // A text that comes twice in one pipeline (two outbox rows, say) is parsed once.
      const parse = !name || (connection.parsedStatements[name] !== s.text && !parsedHere.has(name));
      if (name) parsedHere.add(name);
      return { text: s.text, values: (s.values ?? []).map((v) => pgUtils.prepareValue(v)), name, parse };
    });
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    const types = { getTypeParser: client.getTypeParser.bind(client) } as { getTypeParser: pg.Client['getTypeParser'] };
    const query = new PipelinedQuery(planned, types, (error, results) => (error ? reject(error) : resolve(results!)));
    void (client.query as unknown as (q: unknown) => unknown)(query);
  });
}
