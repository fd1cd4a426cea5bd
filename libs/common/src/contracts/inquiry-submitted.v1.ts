import { z } from 'zod';
import {
  attachmentSchema,
  channelSchema,
  citizenSchema,
  idSchema,
  inquiryTypeSchema,
  isoTime,
  locationSchema,
} from './common.schemas.js';
import { defineTopic } from './topic-contract.js';

export const inquirySubmittedSchema = z.object({
  inquiryId: idSchema,
  trackingNo: z.string().max(40).optional(),
  channel: channelSchema,
  citizen: citizenSchema,
  title: z.string().max(200).optional(),
  content: z.string().min(1).max(20000),
  typeHint: inquiryTypeSchema.optional(),
  location: locationSchema.optional(),
  attachments: z.array(attachmentSchema).max(20).default([]),
  anonymous: z.boolean().default(true),
  /** A public post (a Weibo @mention) rather than a private message. */
  publicOrigin: z.boolean().default(false),
  /** The Weibo post (and comment) a public-origin inquiry came from, for an answer in its comment thread. */
  weiboThread: z.object({ statusId: z.string().max(64), commentId: z.string().max(64).optional() }).optional(),
  receivedAt: isoTime,
  /** Vendor message ids, kept as strings (WeChat MsgId exceeds 2^53). */
  vendorMessageIds: z.array(z.string().max(128)).max(100).default([]),
});
export type InquirySubmitted = z.infer<typeof inquirySubmittedSchema>;

export const InquirySubmittedV1 = defineTopic(
  'inquiry.submitted.v1',
  { InquirySubmitted: inquirySubmittedSchema },
  (p) => p.inquiryId,
);
