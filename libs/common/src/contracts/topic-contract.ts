import { z } from 'zod';
import type { Envelope } from './envelope.js';

/**
 * A topic and the payload schema of every event type it carries. Producing and consuming both validate
 * against it, so a topic's contract lives in exactly one place.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the base of all contracts; members are typed per contract
export interface TopicContract<E extends Record<string, z.ZodType> = any> {
  readonly name: string;
  readonly events: E;
  /** The Kafka key: one key per case keeps a case's events in order on one partition. */
  keyOf(payload: z.infer<E[keyof E]>): string;
}

export type EventType<C extends TopicContract> = Extract<keyof C['events'], string>;
export type PayloadOf<C extends TopicContract, T extends EventType<C> = EventType<C>> = z.infer<C['events'][T]>;

/** An envelope of one of the contract's types, with its payload typed by `type`. */
export type EventOf<C extends TopicContract> = {
  [T in EventType<C>]: Envelope<PayloadOf<C, T>> & { type: T };
}[EventType<C>];

export function defineTopic<E extends Record<string, z.ZodType>>(
  name: string,
  events: E,
  keyOf: (payload: z.infer<E[keyof E]>) => string,
): TopicContract<E> {
  return { name, events, keyOf };
}

/** The same contract on another topic name (test isolation, or a per-tenant prefix). */
export function onTopic<C extends TopicContract>(contract: C, name: string): C {
  return { ...contract, name };
}

export const dlqName = (topic: string): string => `${topic}.dlq`;
