import type { Request } from 'express';
import { ChannelError } from './channel-error.js';

/** Bodies over 64 KB are refused (issues 4 and 5, hostile input); vendor pushes are a few hundred bytes. */
export const MAX_PUSH_BYTES = 64 * 1024;

/**
 * The raw push body with a hard size limit. XML and text arrive unparsed; a JSON body may already have been
 * parsed by the application's global JSON parser (its own limit is larger), so it is measured again as text.
 */
export async function readPushBody(req: Request, accept: RegExp, what: string): Promise<string> {
  const type = req.headers['content-type'];
  if (type && !accept.test(type)) throw new ChannelError('unsupported_media_type', `the push must be ${what}`);
  if (Number(req.headers['content-length'] ?? 0) > MAX_PUSH_BYTES) throw new ChannelError('too_large', 'body over 64 KB');
  if (typeof req.body === 'string') return req.body;
  // The stream is already consumed when a global parser took the body.
  if (req.readableEnded && req.body !== undefined && req.body !== null) {
    let text: string;
    try {
      text = JSON.stringify(req.body);
    } catch {
      // JSON.parse takes nesting that JSON.stringify cannot walk back (a RangeError: call stack size).
      throw new ChannelError('malformed', 'the body is nested too deeply');
    }
    if (Buffer.byteLength(text) > MAX_PUSH_BYTES) throw new ChannelError('too_large', 'body over 64 KB');
    return text;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Drain the rest instead of breaking off, so the 413 still reaches the client.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_PUSH_BYTES) chunks.push(chunk);
  }
  if (size > MAX_PUSH_BYTES) throw new ChannelError('too_large', 'body over 64 KB');
  return Buffer.concat(chunks).toString('utf8');
}

/** Query parameters as strings only (a repeated parameter arrives as an array and is dropped). */
export function queryStrings(query: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string') out[k] = v;
  return out;
}
