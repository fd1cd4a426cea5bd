import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { z } from 'zod';

/**
 * ulid's default generator asks the system for one byte per character (16 calls per id); this one draws
 * cryptographic random bytes 4 KB at a time.
 */
const random = (() => {
  const pool = new Uint8Array(4096);
  let next = pool.length;
  return (): number => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++] / 256;
  };
})();

const nextUlid = monotonicFactory(random);

export const newId = (): string => nextUlid();

export const envelopeSchema = z.object({
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID'),
  type: z.string().min(1).max(100),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1).max(100),
  traceId: z.string().min(1).max(100),
  payload: z.unknown(),
});

export type Envelope<P = unknown> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: P };

export interface EnvelopeInit<P> {
  type: string;
  payload: P;
  source: string;
  traceId?: string;
  version?: number;
  occurredAt?: Date;
}

export function newEnvelope<P>(init: EnvelopeInit<P>): Envelope<P> {
  const id = newId();
  return {
    id,
    type: init.type,
    version: init.version ?? 1,
    occurredAt: (init.occurredAt ?? new Date()).toISOString(),
    source: init.source,
    traceId: init.traceId ?? id,
    payload: init.payload,
  };
}
