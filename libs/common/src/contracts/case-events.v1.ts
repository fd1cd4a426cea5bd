import { z } from 'zod';
import { attachmentSchema, channelSchema, idSchema, isoTime } from './common.schemas.js';
import { ratingSchema } from './inquiry-interaction.v1.js';
import { defineTopic } from './topic-contract.js';

const base = z.object({
  inquiryId: idSchema,
  at: isoTime,
  /** Who caused the step: `system`, or a staff user id. */
  actor: z.string().max(100).default('system'),
});
const clock = z.enum(['desk', 'accept', 'reply']);
const unit = { unitId: idSchema, unitName: z.string().max(200) };

export const CaseEventsV1 = defineTopic(
  'case.events.v1',
  {
    Received: base.extend({
      channel: channelSchema,
      trackingNo: z.string().max(40).optional(),
      title: z.string().max(200).optional(),
      content: z.string().max(20000),
      receivedAt: isoTime,
    }),
    Classified: base.extend({
      category: z.string().max(100),
      confidence: z.number().min(0).max(1),
      area: z.string().max(100).optional(),
    }),
    QueuedForDesk: base.extend({ reason: z.string().max(500), deskDeadline: isoTime }),
    Assigned: base.extend({
      ...unit,
      coUnitIds: z.array(idSchema).default([]),
      acceptDeadline: isoTime,
      replyDeadline: isoTime,
    }),
    Accepted: base.extend({ ...unit, onTime: z.boolean() }),
    Returned: base.extend({ ...unit, reason: z.string().min(1).max(2000) }),
    ExtensionGranted: base.extend({ replyDeadline: isoTime, reason: z.string().max(2000) }),
    ReplyPosted: base.extend({
      ...unit,
      text: z.string().min(1).max(20000),
      attachments: z.array(attachmentSchema).default([]),
      onTime: z.boolean(),
    }),
    FeedbackRecorded: base.extend({ rating: ratingSchema, comment: z.string().max(1000).optional() }),
    Reopened: base.extend({ reason: z.string().max(2000) }),
    Merged: base.extend({ intoInquiryId: idSchema }),
    Rejected: base.extend({ reason: z.string().min(1).max(2000) }),
    Closed: base.extend({ outcome: z.string().max(100) }),
    SlaWarning: base.extend({ clock, deadline: isoTime }),
    SlaBreached: base.extend({ clock, deadline: isoTime }),
  },
  (p) => p.inquiryId,
);
