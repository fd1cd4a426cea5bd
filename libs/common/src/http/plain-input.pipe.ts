import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { CodedError } from './coded-error.js';

/** Deeper than any request the platform takes; class-transformer and JSON.stringify recurse and overflow the stack. */
export const MAX_INPUT_DEPTH = 32;

/** U+0000 (PostgreSQL text cannot hold it) or a UTF-16 surrogate without its pair (not Unicode text). */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const isStorableText = (value: string): boolean => !UNSTORABLE.test(value);

/**
 * Global, before validation: a body, query or route parameter nested deeper than MAX_INPUT_DEPTH, or holding
 * a string (value or key) that cannot be stored as text, or a key such as `__proto__`, is a 400 — never a 500 from the stack or the
 * database, and never a poison message for the services downstream. Walks without recursion.
 */
@Injectable()
export class PlainInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const stack: [unknown, number][] = [[value, 0]];
    while (stack.length > 0) {
      const [item, depth] = stack.pop()!;
      if (typeof item === 'string') {
        if (!isStorableText(item)) throw unstorable();
        continue;
      }
      if (typeof item !== 'object' || item === null || Buffer.isBuffer(item)) continue;
      if (depth >= MAX_INPUT_DEPTH) {
        throw new CodedError('invalid', 'input.too_deep', `请求内容嵌套过深（最多 ${MAX_INPUT_DEPTH} 层）。`);
      }
      for (const [key, child] of Object.entries(item)) {
        if (!isStorableText(key)) throw unstorable();
        // JSON.parse makes these own properties; no request field has such a name (prototype pollution).
        if (FORBIDDEN_KEYS.has(key)) throw new CodedError('invalid', 'input.forbidden_key', `不允许的字段名：${key}`);
        stack.push([child, depth + 1]);
      }
    }
    return value;
  }
}

const unstorable = (): CodedError =>
  new CodedError('invalid', 'input.unstorable_text', '文本中不能包含空字符（U+0000）或不成对的 UTF-16 代理字符。');
