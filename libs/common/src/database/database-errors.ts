/**
 * The database could not be reached or is overloaded (pool wait timed out, connection refused or cut, server
 * shutting down, too many connections): nothing was stored, so the client should try again — a 503, not a 500.
 */
export function databaseUnavailable(exception: unknown): boolean {
  const e = exception as { message?: unknown; code?: unknown; driverError?: { code?: unknown; message?: unknown } };
  const code = String(e?.driverError?.code ?? e?.code ?? '');
  const message = String(e?.driverError?.message ?? e?.message ?? '');
  return (
    /^(08|57P0)/.test(code) ||
    code === '53300' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  );
}

/**
 * Runs `attempt` until it succeeds, while the database is unreachable (a service started before PostgreSQL, or
 * during its restart), for at most `waitMs`; any other error, or the last one, is thrown. 0 waits not at all.
 */
export async function untilDatabaseReachable<T>(
  attempt: () => Promise<T>,
  waitMs: number,
  onRetry: (error: unknown, delayMs: number) => void,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await attempt();
    } catch (error) {
      const left = deadline - Date.now();
      if (!databaseUnavailable(error) || left <= 0) throw error;
      onRetry(error, Math.min(delay, left));
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    }
  }
}
