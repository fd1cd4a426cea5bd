import { z } from 'zod';
import { attachmentSchema, channelSchema, citizenSchema, idSchema, isoTime } from './common.schemas.js';
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

/** How a unit wants to be told about its cases (the router owns the registry; the notifier keeps a copy). */
export const unitContactsSchema = z.object({
  emails: z.array(z.email()).max(20).default([]),
  webhook: z.object({ url: z.url(), secret: z.string().min(16).max(200) }).optional(),
  prefer: z.enum(['email', 'webhook', 'both']).default('email'),
});
export type UnitContacts = z.infer<typeof unitContactsSchema>;

export const CaseEventsV1 = defineTopic(
  'case.events.v1',
  {
    Received: base.extend({
      channel: channelSchema,
      trackingNo: z.string().max(40).optional(),
      title: z.string().max(200).optional(),
      content: z.string().max(20000),
      receivedAt: isoTime,
      /** Who to answer and where (personal data: the notifier keeps it, public read models must not). */
      citizen: citizenSchema.optional(),
      attachments: z.array(attachmentSchema).max(20).optional(),
      /** The Weibo post or comment the inquiry came from, for a reply in its comment thread. */
      weiboThread: z.object({ statusId: z.string().max(64), commentId: z.string().max(64).optional() }).optional(),
    }),
    Classified: base.extend({
      category: z.string().max(100),
      confidence: z.number().min(0).max(1),
      area: z.string().max(100).optional(),
      /** The finest place found in the text (a town, a street, a landmark). */
      place: z.string().max(100).optional(),
      inquiryType: z.string().max(20).optional(),
    }),
    QueuedForDesk: base.extend({
      reason: z.string().max(500),
      deskDeadline: isoTime,
      /** The router's best units, best first, for the operator. */
      suggestions: z
        .array(z.object({ ...unit, score: z.number().nonnegative() }))
        .max(3)
        .optional(),
      /** An open case that looks like the same problem at the same place. */
      duplicateOf: idSchema.optional(),
    }),
    /** The desk asked the citizen for more information (the message itself goes on channel.outbound.v1). */
    InfoRequested: base.extend({ question: z.string().min(1).max(2000) }),
    /** A desk operator took a queued case, so others leave it alone. */
    Claimed: base.extend({}),
    Assigned: base.extend({
      ...unit,
      coUnitIds: z.array(idSchema).default([]),
      acceptDeadline: isoTime,
      replyDeadline: isoTime,
      /** The lead unit's contacts as the registry has them now; the notifier keeps the latest copy. */
      unitContacts: unitContactsSchema.optional(),
      /** The co-handling units (`coUnitIds`) with their names and contacts, so each is told it co-handles. */
      coUnits: z
        .array(z.object({ ...unit, unitContacts: unitContactsSchema.optional() }))
        .max(10)
        .optional(),
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
    /** The desk approved these of the citizen's photos for the public portal (photos are private until then). */
    AttachmentsPublished: base.extend({ objectKeys: z.array(z.string().min(1).max(300)).min(1).max(20) }),
    /** The desk hid photos it had published (they leave the public portal). */
    AttachmentsWithdrawn: base.extend({ objectKeys: z.array(z.string().min(1).max(300)).min(1).max(20) }),
    /**
     * The desk masked further personal details in the case's public text (a name or plate the automatic mask
     * missed). The text is the whole public version, already masked; it replaces what the portal shows.
     */
    PublicTextMasked: base.extend({ title: z.string().max(200).optional(), content: z.string().min(1).max(20000) }),
    /** A unit asked the desk for more time (issue 7); the desk answers with ExtensionGranted or ExtensionRefused. */
    ExtensionRequested: base.extend({ ...unit, workingDays: z.number().int().positive().max(30), reason: z.string().max(2000) }),
    ExtensionRefused: base.extend({ reason: z.string().max(2000) }),
    /** A co-handling unit's part of the answer; the lead unit's ReplyPosted is what the citizen receives. */
    PartReplied: base.extend({
      ...unit,
      text: z.string().min(1).max(20000),
      attachments: z.array(attachmentSchema).default([]),
      onTime: z.boolean(),
    }),
    /** An internal note on a case (never public; the text stays in the router). */
    NoteAdded: base.extend({ noteId: z.string().max(64) }),
    /** The brush-off detector found a reply too short or formula-only; the desk reviews it. */
    ReplyFlagged: base.extend({ ...unit, flags: z.array(z.string().max(100)).max(10) }),
    /** A unit's contacts changed (webhook registered or removed). Not about a case: `inquiryId` is `unit:<unitId>`. */
    UnitContactsChanged: base.extend({ ...unit, unitContacts: unitContactsSchema }),
    SlaWarning: base.extend({ clock, deadline: isoTime }),
    SlaBreached: base.extend({ clock, deadline: isoTime }),
  },
  (p) => p.inquiryId,
);
