import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { CalendarError, CalendarValidationError } from '@app/common/calendar/calendar.errors.js';
import { CodedError, STATUS_OF_KIND } from '@app/common/http/coded-error.js';

export type RouterErrorCode =
  | 'unit_not_found'
  | 'unit_exists'
  | 'unit_inactive'
  | 'case_not_found'
  | 'media_not_found'
  | 'case_not_on_desk'
  | 'case_claimed'
  | 'case_closed'
  | 'rule_not_found'
  | 'invalid_request'
  | 'illegal_transition'
  | 'not_lead_unit'
  | 'invalid_credentials'
  | 'staff_exists'
  | 'staff_not_found'
  | 'too_many_attempts';

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
  media_not_found: 404,
  rule_not_found: 404,
  unit_exists: 409,
  case_claimed: 409,
  case_not_on_desk: 409,
  case_closed: 409,
  unit_inactive: 422,
  invalid_request: 400,
  illegal_transition: 409,
  not_lead_unit: 403,
  invalid_credentials: 401,
  staff_exists: 409,
  staff_not_found: 404,
  too_many_attempts: 429,
};

/** Maps the router's, the calendar's (`calendar_out_of_range` 422) and the media pipeline's coded errors to HTTP. */
@Catch(RouterError, CalendarError, CodedError)
export class RouterErrorFilter implements ExceptionFilter {
  catch(error: RouterError | CalendarError | CodedError, host: ArgumentsHost): void {
    const status =
      error instanceof RouterError ? STATUS[error.code] : error instanceof CodedError ? STATUS_OF_KIND[error.kind] : error.status;
    const problems = error instanceof CalendarValidationError ? { problems: error.problems } : {};
    host.switchToHttp().getResponse<Response>().status(status).json({ error: error.code, message: error.message, ...problems });
  }
}
