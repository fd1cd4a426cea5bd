import { createHash, randomBytes } from 'node:crypto';

/** API keys are 32 random bytes: a fast hash is enough (there is no dictionary to try), and a lookup is one index read. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const newApiKey = (): string => `wzk_${randomBytes(32).toString('base64url')}`;
