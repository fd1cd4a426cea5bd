import { z } from 'zod';

export const CHANNELS = ['app', 'wechat', 'weibo', 'open311'] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const INQUIRY_TYPES = ['咨询', '投诉', '建议', '求助', '举报'] as const;
export const inquiryTypeSchema = z.enum(INQUIRY_TYPES);
export type InquiryType = z.infer<typeof inquiryTypeSchema>;

export const idSchema = z.string().min(1).max(64);
export const isoTime = z.iso.datetime({ offset: true });

/** Who the citizen is on their channel: the pair is personal data and never appears in public output. */
export const citizenSchema = z.object({
  channel: channelSchema,
  externalUserId: z.string().min(1).max(128),
  account: z.string().max(64).optional(),
});
export type Citizen = z.infer<typeof citizenSchema>;

export const locationSchema = z
  .object({
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    address: z.string().max(500).optional(),
  })
  .refine((l) => (l.latitude === undefined) === (l.longitude === undefined), 'latitude and longitude go together');
export type Location = z.infer<typeof locationSchema>;

/** A stored object: events carry keys into the object store, never bytes. */
export const attachmentSchema = z.object({
  kind: z.enum(['photo', 'video', 'voice', 'file']),
  objectKey: z.string().min(1).max(300),
  thumbnailKey: z.string().max(300).optional(),
  contentType: z.string().max(100),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;
