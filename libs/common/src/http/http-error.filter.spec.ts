import { BadRequestException, HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import type { Logger } from 'pino';
import { CodedError } from './coded-error.js';
import { HttpErrorFilter } from './http-error.filter.js';

describe(HttpErrorFilter.name, () => {
  const logged: unknown[] = [];
  const logger = { error: (...args: unknown[]) => logged.push(args) } as unknown as Logger;
  const filter = new HttpErrorFilter(logger);

  it('maps a coded error to the status of its kind, with its code, message and details', () => {
    const error = new CodedError('unsupported_media', 'media.unsupported_type', '不支持此文件类型。', { allowed: ['jpeg'] });
    expect(filter.toBody(error)).toEqual({ statusCode: 415, code: 'media.unsupported_type', message: '不支持此文件类型。', details: { allowed: ['jpeg'] } });
    expect(filter.toBody(new CodedError('rate_limited', 'rate_limited', '慢一点')).statusCode).toBe(429);
  });

  it('lists every rejected field of a validation error', () => {
    const body = filter.toBody(new BadRequestException(['content 长度须为 5 到 5000 个字符', 'typeHint 只能是 …']));
    expect(body).toMatchObject({ statusCode: 400, code: 'validation_failed', details: ['content 长度须为 5 到 5000 个字符', 'typeHint 只能是 …'] });
    expect(body.message).toContain('content 长度须为 5 到 5000 个字符');
  });

  it('gives framework exceptions a readable message instead of their English status text', () => {
    expect(filter.toBody(new NotFoundException())).toMatchObject({ statusCode: 404, code: 'not_found' });
    expect(filter.toBody(new PayloadTooLargeException()).message).toContain('过大');
    expect(filter.toBody(new HttpException('x', 418)).statusCode).toBe(418);
  });

  it('keeps client errors of express middleware (malformed JSON) as 4xx', () => {
    const parserError = Object.assign(new SyntaxError('Unexpected end of JSON input'), { status: 400, type: 'entity.parse.failed' });
    expect(filter.toBody(parserError)).toMatchObject({ statusCode: 400, code: 'bad_request' });
    expect(filter.toBody(Object.assign(new Error('too big'), { status: 413 })).statusCode).toBe(413);
  });

  it('answers 503 when the database cannot be reached or the pool is exhausted', () => {
    expect(filter.toBody(new Error('timeout exceeded when trying to connect')).statusCode).toBe(503);
    expect(filter.toBody(Object.assign(new Error('x'), { driverError: { code: '57P01' } })).statusCode).toBe(503);
    expect(filter.toBody(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).code).toBe('unavailable');
    expect(filter.toBody(Object.assign(new Error('x'), { driverError: { code: '23505' } })).statusCode).toBe(500);
  });

  it('answers anything else with a 500 that reveals nothing', () => {
    const body = filter.toBody(new TypeError('cannot read properties of undefined (reading "phone")'));
    expect(body).toEqual({ statusCode: 500, code: 'internal', message: expect.any(String) });
    expect(body.message).not.toContain('phone');
  });
});
