import { ContractViolation } from '../contracts/validate.js';

/**
 * A failure that retrying cannot fix (bad data, a rule the message breaks). The consumer sends the message
 * to `<topic>.dlq` at once instead of retrying it.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export type FailureKind = 'permanent' | 'transient';

/** The one place that decides whether a handler failure is worth retrying. */
export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof PermanentError || error instanceof ContractViolation) return 'permanent';
  // PostgreSQL data errors (class 22) and constraint violations (class 23) will fail the same way again.
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^2[23]/.test(code)) return 'permanent';
  return 'transient';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
