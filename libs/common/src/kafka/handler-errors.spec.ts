import { ContractViolation } from '../contracts/validate.js';
import { classifyFailure, PermanentError } from './handler-errors.js';

describe(classifyFailure.name, () => {
  it('treats coded permanent failures, contract violations and PG data errors as permanent', () => {
    expect(classifyFailure(new PermanentError('no such unit'))).toBe('permanent');
    expect(classifyFailure(new ContractViolation('t', ['x']))).toBe('permanent');
    expect(classifyFailure(Object.assign(new Error('bad'), { code: '22P02' }))).toBe('permanent');
    expect(classifyFailure(Object.assign(new Error('dup'), { code: '23505' }))).toBe('permanent');
  });

  it('retries connection trouble and anything unknown', () => {
    expect(classifyFailure(Object.assign(new Error('gone'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('admin shutdown'), { code: '57P01' }))).toBe('transient');
    expect(classifyFailure(new Error('?'))).toBe('transient');
  });
});
