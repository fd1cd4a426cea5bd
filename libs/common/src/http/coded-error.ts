/**
 * What went wrong, in terms the HTTP edge can map to a status without knowing the domain: domain and
 * library code throw `CodedError`, and `HttpErrorFilter` alone decides the status and the JSON shape.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media'
  | 'rate_limited'
  | 'unavailable';

export class CodedError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** A stable machine-readable code, e.g. `media.pixel_limit`. */
    readonly code: string,
    /** A sentence the citizen (or the client developer) can act on; Chinese for citizen-facing texts. */
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  rate_limited: 429,
  unavailable: 503,
};
