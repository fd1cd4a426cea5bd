import { z } from 'zod';
import { attachmentSchema, citizenSchema, idSchema, isoTime } from './common.schemas.js';
import { defineTopic } from './topic-contract.js';

export const RATINGS = ['满意', '基本满意', '不满意'] as const;
export const ratingSchema = z.enum(RATINGS);
export type Rating = z.infer<typeof ratingSchema>;

const base = z.object({ inquiryId: idSchema, citizen: citizenSchema, at: isoTime });

export const InquiryInteractionV1 = defineTopic(
  'inquiry.interaction.v1',
  {
    InformationAdded: base.extend({
      text: z.string().max(5000).default(''),
      attachments: z.array(attachmentSchema).max(20).default([]),
    }),
    RatingGiven: base.extend({ rating: ratingSchema, comment: z.string().max(1000).optional() }),
    Withdrawn: base.extend({ reason: z.string().max(1000).optional() }),
    /** The citizen was active on their channel; opens the WeChat/Weibo customer-service window. */
    ChannelActivity: base.extend({
      inquiryId: idSchema.optional(),
      /** What the citizen did (absent: a message); the windows differ (WeChat: 3 messages for 1 minute after a click, follow or scan). */
      kind: z.enum(['message', 'click', 'follow', 'scan', 'mention', 'unfollow']).optional(),
    }),
  },
  (p) => p.inquiryId ?? `${p.citizen.channel}:${p.citizen.externalUserId}`,
);
