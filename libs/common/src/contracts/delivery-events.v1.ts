import { z } from 'zod';
import { idSchema, isoTime } from './common.schemas.js';
import { defineTopic, dlqName } from './topic-contract.js';

const base = z.object({
  messageId: idSchema,
  inquiryId: idSchema.optional(),
  channel: z.enum(['wechat', 'weibo', 'app', 'email', 'webhook', 'open311']),
  attempt: z.number().int().positive(),
  at: isoTime,
});

export const DeliveryEventsV1 = defineTopic(
  'delivery.events.v1',
  {
    DeliverySucceeded: base,
    DeliveryFailed: base.extend({ error: z.string().max(2000), final: z.boolean() }),
    /**
     * An in-app notification for a citizen of the app (the app channel's inbox), reported with the delivery's
     * outcome; ingest-app keeps the citizen's list. The text is a summary: the case itself holds the whole reply.
     */
    AppNotificationCreated: base.extend({
      channel: z.literal('app'),
      userId: z.string().min(1).max(100),
      purpose: z.string().min(1).max(50),
      title: z.string().min(1).max(200),
      text: z.string().max(1000),
      link: z.string().max(2000),
    }),
    /** A unit's webhook was switched off after repeated failures; the desk should fix the unit's contacts. */
    WebhookDisabled: base.extend({ unitId: idSchema, consecutiveFailures: z.number().int().positive(), error: z.string().max(2000) }),
  },
  (p) => p.inquiryId ?? p.messageId,
);

/**
 * The dead letter of a delivery: the notifier gave up on it after its last attempt (`dead`), or could not know
 * whether the vendor took it (`uncertain`). It carries the delivery as planned, so an operator can replay it
 * (the notifier's `DeadLetterReplay` queues it again under the same delivery id). Not in `TOPICS`: this is
 * the `.dlq` twin that `allTopicNames` already creates for `delivery.events.v1`.
 */
export const DeliveryDeadLettersV1 = defineTopic(
  dlqName('delivery.events.v1'),
  {
    DeliveryDeadLettered: z.object({
      messageId: idSchema,
      inquiryId: idSchema.optional(),
      channel: base.shape.channel,
      status: z.enum(['dead', 'uncertain']),
      idempotencyKey: z.string().min(1).max(300),
      purpose: z.string().min(1).max(50),
      recipient: z.string().max(2000),
      attempts: z.number().int().nonnegative(),
      error: z.string().max(2000),
      at: isoTime,
      /** The message as rendered when it was planned (the row's `message`). */
      message: z.record(z.string(), z.unknown()),
    }),
  },
  (p) => p.inquiryId ?? p.messageId,
);
