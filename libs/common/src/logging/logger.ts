import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { currentTrace } from './trace-context.js';

/** Fields that may hold personal data; pino replaces them before a line is written. */
const REDACT = [
  'phone',
  '*.phone',
  'mobile',
  '*.mobile',
  'password',
  '*.password',
  'externalUserId',
  '*.externalUserId',
  'citizen.externalUserId',
  '*.citizen.externalUserId',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    mixin() {
      const trace = currentTrace();
      return trace ? { traceId: trace.traceId, eventId: trace.eventId } : {};
    },
  });
}

/** Nest's logger interface on top of pino, so framework and service lines share one JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, stack: trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
