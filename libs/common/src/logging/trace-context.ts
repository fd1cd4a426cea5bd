import { AsyncLocalStorage } from 'node:async_hooks';

interface TraceContext {
  traceId: string;
  eventId?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

/** Runs `fn` with the trace id of the event (or request) being handled, so every log line carries it. */
export function withTrace<T>(context: TraceContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}
