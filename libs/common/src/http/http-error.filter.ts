import { Catch, HttpException, Inject, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { databaseUnavailable } from '../database/database-errors.js';
import { LOGGER } from '../platform/tokens.js';
import { CodedError, STATUS_OF_KIND } from './coded-error.js';

/** The one JSON shape of every error answer. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

/** Messages for framework exceptions that carry only an English status text. */
const DEFAULT_MESSAGES: Record<number, [code: string, message: string]> = {
  400: ['bad_request', '请求格式不正确，请检查后重试。'],
  401: ['unauthenticated', '请先登录，或登录已过期，请重新登录。'],
  403: ['forbidden', '您无权进行此操作。'],
  404: ['not_found', '找不到您要访问的内容，请检查地址或编号。'],
  405: ['method_not_allowed', '不支持此请求方法。'],
  406: ['not_acceptable', '无法提供您要求的格式。'],
  408: ['timeout', '请求超时，请稍后重试。'],
  409: ['conflict', '请求与当前状态冲突，请刷新后重试。'],
  413: ['too_large', '上传的内容过大，请压缩或减少文件后重试。'],
  415: ['unsupported_media', '不支持的文件或内容类型。'],
  422: ['unprocessable', '请求内容无法处理，请检查后重试。'],
  429: ['rate_limited', '操作过于频繁，请稍后再试。'],
};

/**
 * Maps every exception to `{ statusCode, code, message, details? }`. Coded domain errors get their status
 * from their kind; framework exceptions keep their status with a readable message; anything else is a
 * 500 that is logged (without the request body, which may hold personal data).
 */
@Catch()
@Injectable()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      const request = host.switchToHttp().getRequest<{ method?: string; url?: string }>();
      this.logger.error(
        { err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception),
          method: request.method, url: request.url?.split('?')[0] },
        'request failed',
      );
    }
    if (response.headersSent) return;
    if (body.statusCode === 503) response.setHeader('Retry-After', '5');
    response.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof CodedError) {
      return {
        statusCode: STATUS_OF_KIND[exception.kind],
        code: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof HttpException) return this.fromHttpException(exception);
    // body-parser and other express middleware errors carry `status` / `type`.
    const status = (exception as { status?: unknown; statusCode?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const [code, message] = DEFAULT_MESSAGES[status] ?? ['bad_request', DEFAULT_MESSAGES[400][1]];
      return { statusCode: status, code, message };
    }
    if (databaseUnavailable(exception)) {
      return { statusCode: 503, code: 'unavailable', message: '系统繁忙，请稍后重试，您的内容没有丢失。' };
    }
    return { statusCode: 500, code: 'internal', message: '服务器内部错误，我们已记录，请稍后重试。' };
  }

  private fromHttpException(exception: HttpException): ErrorBody {
    const statusCode = exception.getStatus();
    const [code, fallback] = DEFAULT_MESSAGES[statusCode] ?? (statusCode >= 500
      ? ['internal', '服务器内部错误，请稍后重试。']
      : ['error', exception.message]);
    const raw = exception.getResponse();
    if (typeof raw === 'object' && raw !== null) {
      const r = raw as { code?: unknown; message?: unknown; details?: unknown };
      if (Array.isArray(r.message)) {
        // ValidationPipe: one line per rejected field.
        return { statusCode, code: 'validation_failed', message: `请求内容不符合要求：${r.message.join('；')}`, details: r.message };
      }
      if (typeof r.code === 'string' && typeof r.message === 'string') {
        return { statusCode, code: r.code, message: r.message, ...(r.details ? { details: r.details } : {}) };
      }
    }
    return { statusCode, code, message: fallback };
  }
}
