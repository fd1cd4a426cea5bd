import { Catch, Inject, Injectable, type ArgumentsHost } from '@nestjs/common';
import { CodedError } from '@app/common/http/coded-error.js';
import { HttpErrorFilter } from '@app/common/http/http-error.filter.js';
import { LOGGER } from '@app/common/platform/tokens.js';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { toXml } from './open311.xml.js';

export type Open311Format = 'xml' | 'json';

export interface Open311ErrorItem {
  code: number;
  description: string;
}

/** One or more GeoReport errors with one HTTP status (the spec answers a list). */
export class Open311Error extends CodedError {
  constructor(
    kind: 'invalid' | 'forbidden' | 'not_found',
    readonly errors: Open311ErrorItem[],
  ) {
    super(kind, `open311.${kind}`, errors.map((e) => e.description).join('; '));
  }

  static invalid(...descriptions: string[]): Open311Error {
    return new Open311Error('invalid', descriptions.map((description) => ({ code: 400, description })));
  }

  static forbidden(description: string): Open311Error {
    return new Open311Error('forbidden', [{ code: 403, description }]);
  }

  static notFound(description: string): Open311Error {
    return new Open311Error('not_found', [{ code: 404, description }]);
  }
}

/** `services.xml` → ['services', 'xml']; the format suffix decides the answer's format (GeoReport "Format Support"). */
export function splitFormat(file: string): [name: string, format: Open311Format | undefined] {
  const match = /^(.+)\.(xml|json)$/i.exec(file);
  return match ? [match[1], match[2].toLowerCase() as Open311Format] : [file, undefined];
}

export function formatOfPath(path: string): Open311Format {
  return /\.json$/i.test(path) ? 'json' : 'xml';
}

/** Writes a GeoReport document: UTF-8 XML with its declaration, or the same tree as JSON. */
export function sendOpen311(res: Response, format: Open311Format, root: string, value: unknown, status = 200): void {
  res.status(status);
  if (format === 'json') {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(JSON.stringify(value));
  } else {
    res.setHeader('Content-Type', 'text/xml; charset=utf-8');
    res.send(toXml(root, value));
  }
}

/**
 * GeoReport errors (spec "Errors"): `<errors><error><code/><description/></error></errors>` or the JSON list, in
 * the format the URL asked for. Status: 404 for what does not exist, 403 for a missing or bad api_key, 429 for
 * a key over its rate, 5xx for our own failures, and 400 for everything else the request got wrong.
 */
@Catch()
@Injectable()
export class Open311ErrorFilter extends HttpErrorFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {
    super(log);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      this.log.error({ err: exception instanceof Error ? exception.message : String(exception), method: req.method, url: req.path }, 'open311 request failed');
    }
    if (res.headersSent) return;
    let status = body.statusCode;
    if (status === 401) status = 403;
    else if (status < 500 && ![403, 404, 429].includes(status)) status = 400;
    const retryAfter = exception instanceof CodedError ? exception.details?.retryAfter : undefined;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    const errors = exception instanceof Open311Error ? exception.errors : [{ code: status, description: body.message }];
    sendOpen311(res, formatOfPath(req.path), 'errors', errors, status);
  }
}
