import { CodedError } from './coded-error.js';
import { MAX_INPUT_DEPTH, PlainInputPipe } from './plain-input.pipe.js';

describe(PlainInputPipe.name, () => {
  const pipe = new PlainInputPipe();
  const body = { type: 'body' as const };
  const code = (value: unknown, type: 'body' | 'query' | 'param' = 'body'): string | undefined => {
    try {
      pipe.transform(value, { type });
      return undefined;
    } catch (error) {
      return (error as CodedError).code;
    }
  };

  it('passes ordinary input through unchanged, emoji and all', () => {
    const value = { content: '路灯坏了 😀 𠀀 ‮', list: [1, 'a', { b: null }], n: 3 };
    expect(pipe.transform(value, body)).toBe(value);
    expect(code('01JZZZZZZZZZZZZZZZZZZZZZZZ', 'param')).toBeUndefined();
  });

  it('refuses U+0000 and lone surrogates in values and keys, at any depth, in bodies, queries and params', () => {
    expect(code({ a: 'x\u0000y' })).toBe('input.unstorable_text');
    expect(code({ a: [{ b: '\uD800' }] })).toBe('input.unstorable_text');
    expect(code({ 'k\uDC00': 1 })).toBe('input.unstorable_text');
    expect(code('\u0000', 'param')).toBe('input.unstorable_text');
    expect(code({ q: '\uDFFFx' }, 'query')).toBe('input.unstorable_text');
  });

  it('refuses prototype keys and nesting deeper than the limit, without recursing', () => {
    expect(code(JSON.parse('{"__proto__":{"x":1}}'))).toBe('input.forbidden_key');
    expect(code({ constructor: 'x' })).toBe('input.forbidden_key');
    const deep = JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    expect(code(deep)).toBe('input.too_deep');
    const ok = JSON.parse(`${'['.repeat(MAX_INPUT_DEPTH)}${']'.repeat(MAX_INPUT_DEPTH)}`);
    expect(code(ok)).toBeUndefined();
  });
});
