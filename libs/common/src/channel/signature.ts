import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The push signature WeChat and Weibo share: sha1 of the parts sorted as strings and joined
 * (WeChat: token, timestamp, nonce(, Encrypt); Weibo: app secret, timestamp, nonce).
 */
export function sortedSha1(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Constant-time comparison of a hex signature (case-insensitive on the given side). */
export function signatureMatches(expected: string, given: string | undefined): boolean {
  if (!given || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given.toLowerCase()));
}
