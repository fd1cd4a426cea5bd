import { z } from 'zod';
import { envelopeSchema, type Envelope } from './envelope.js';
import type { EventOf, TopicContract } from './topic-contract.js';

export class ContractViolation extends Error {
  constructor(
    readonly topic: string,
    readonly issues: string[],
  ) {
    super(`event violates the contract of ${topic}: ${issues.join('; ')}`);
    this.name = 'ContractViolation';
  }
}

const describe = (error: z.ZodError, prefix = ''): string[] =>
  error.issues.map((i) => `${prefix}${i.path.join('.') || '(root)'}: ${i.message}`);

/** Checks an envelope and its payload against the topic's contract; returns it with defaults applied. */
export function validateEvent<C extends TopicContract>(contract: C, candidate: unknown): EventOf<C> {
  const envelope = envelopeSchema.safeParse(candidate);
  if (!envelope.success) throw new ContractViolation(contract.name, describe(envelope.error));
  const schema = contract.events[envelope.data.type];
  if (!schema) {
    const known = Object.keys(contract.events).join(', ');
    throw new ContractViolation(contract.name, [`type "${envelope.data.type}" is not one of ${known}`]);
  }
  const payload = schema.safeParse(envelope.data.payload);
  if (!payload.success) throw new ContractViolation(contract.name, describe(payload.error, 'payload.'));
  return { ...envelope.data, payload: payload.data } as EventOf<C>;
}

/** Decodes a Kafka message value (UTF-8 JSON) and validates it. */
export function decodeEvent<C extends TopicContract>(contract: C, value: Buffer | null): EventOf<C> {
  if (!value) throw new ContractViolation(contract.name, ['empty message']);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (e) {
    throw new ContractViolation(contract.name, [`not JSON: ${(e as Error).message}`]);
  }
  return validateEvent(contract, parsed);
}

export type { Envelope };
