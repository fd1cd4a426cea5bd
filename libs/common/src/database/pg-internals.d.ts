// node-postgres' own result and value conversion, used by pipeline.ts to act as a query of its own; pg ships
// no types for these files.
declare module 'pg/lib/result.js' {
  export default class Result {
    constructor(rowMode?: 'array', types?: unknown);
    command: string | null;
    rowCount: number | null;
    rows: Record<string, unknown>[];
    addFields(fields: unknown[]): void;
    parseRow(fields: unknown[]): unknown;
    addRow(row: unknown): void;
    addCommandComplete(msg: unknown): void;
  }
}

declare module 'pg/lib/utils.js' {
  const utils: { prepareValue(value: unknown): unknown };
  export default utils;
}
