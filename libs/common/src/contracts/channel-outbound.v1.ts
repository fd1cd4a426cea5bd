import { z } from 'zod';
import { citizenSchema, idSchema } from './common.schemas.js';
import { defineTopic } from './topic-contract.js';

export const OUTBOUND_PURPOSES = ['acknowledgement', 'reply', 'survey', 'survey_reminder', 'info_request', 'rejection'] as const;

export const ChannelOutboundV1 = defineTopic(
  'channel.outbound.v1',
  {
    OutboundMessage: z.object({
      messageId: idSchema,
      inquiryId: idSchema.optional(),
      citizen: citizenSchema,
      purpose: z.enum(OUTBOUND_PURPOSES),
      text: z.string().min(1).max(20000),
      link: z.url().optional(),
    }),
  },
  (p) => `${p.citizen.channel}:${p.citizen.externalUserId}`,
);
