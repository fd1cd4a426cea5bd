import { z } from 'zod';
import { idSchema, isoTime } from './common.schemas.js';
import { defineTopic } from './topic-contract.js';

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
    /** A unit's webhook was switched off after repeated failures; the desk should fix the unit's contacts. */
    WebhookDisabled: base.extend({ unitId: idSchema, consecutiveFailures: z.number().int().positive(), error: z.string().max(2000) }),
  },
  (p) => p.inquiryId ?? p.messageId,
);
