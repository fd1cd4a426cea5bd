import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

export type RouterErrorCode =
  | 'unit_not_found'
  | 'unit_exists'
  | 'unit_inactive'
  | 'case_not_found'
  | 'case_not_on_desk'
  | 'case_claimed'
  | 'case_closed'
  | 'rule_not_found'
  | 'invalid_request';

/** A domain failure with a code; only RouterErrorFilter decides what it means over HTTP. */
export class RouterError extends Error {
  constructor(
    readonly code: RouterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RouterError';
  }
}

const STATUS: Record<RouterErrorCode, number> = {
  unit_not_found: 404,
  case_not_found: 404,
  rule_not_found: 404,
  unit_exists: 409,
  case_claimed: 409,
  case_not_on_desk: 409,
  case_closed: 409,
  unit_inactive: 422,
  invalid_request: 400,
};

@Catch(RouterError)
export class RouterErrorFilter implements ExceptionFilter {
  catch(error: RouterError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(STATUS[error.code])
      .json({ error: error.code, message: error.message });
  }
}
