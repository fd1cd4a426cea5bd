import { attachmentSchema } from '@app/common';
import { z } from 'zod';

const reason = z.string().trim().min(1).max(2000);

export const replySchema = z.object({
  text: z.string().trim().min(1).max(20000),
  /** Stored objects from the media pipeline (upload first, then reference them here). */
  attachments: z.array(attachmentSchema).max(20).default([]),
});
export type ReplyDto = z.infer<typeof replySchema>;

export const returnSchema = z.object({ reason });
export const extensionSchema = z.object({ workingDays: z.number().int().min(1).max(30), reason });
export type ExtensionDto = z.infer<typeof extensionSchema>;
export const noteSchema = z.object({ text: z.string().trim().min(1).max(5000) });

export const returnDecisionSchema = z.discriminatedUnion('decision', [
  z.object({
    decision: z.literal('reassign'),
    unitId: z.string().min(1).max(64),
    coUnitIds: z.array(z.string().min(1).max(64)).max(10).default([]),
    reason,
  }),
  z.object({ decision: z.literal('send_back'), reason }),
]);
export type ReturnDecisionDto = z.infer<typeof returnDecisionSchema>;

export const extensionDecisionSchema = z.object({ grant: z.boolean(), workingDays: z.number().int().min(1).max(30).optional(), reason });
export type ExtensionDecisionDto = z.infer<typeof extensionDecisionSchema>;

export const reopenDecisionSchema = z.object({ reopen: z.boolean(), reason });
export type ReopenDecisionDto = z.infer<typeof reopenDecisionSchema>;

export const flagReviewSchema = z.object({ accept: z.boolean(), reason });
export type FlagReviewDto = z.infer<typeof flagReviewSchema>;
