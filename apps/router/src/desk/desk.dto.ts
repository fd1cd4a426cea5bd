import { z } from 'zod';

const reason = z.string().trim().min(1).max(2000);

export const assignSchema = z.object({
  unitId: z.string().min(1).max(64),
  coUnitIds: z.array(z.string().min(1).max(64)).max(10).default([]),
  reason,
});
export type AssignDto = z.infer<typeof assignSchema>;

export const mergeSchema = z.object({ intoInquiryId: z.string().min(1).max(64), reason });
export type MergeDto = z.infer<typeof mergeSchema>;

export const REJECT_CATEGORIES = ['spam', 'abuse', 'not_government', 'duplicate_content', 'other'] as const;
export const rejectSchema = z.object({
  category: z.enum(REJECT_CATEGORIES),
  /** Shown to the citizen: say why in words they can act on. */
  reason,
});
export type RejectDto = z.infer<typeof rejectSchema>;

export const requestInfoSchema = z.object({ question: reason });
export type RequestInfoDto = z.infer<typeof requestInfoSchema>;

export interface QueueEntry {
  inquiryId: string;
  trackingNo: string | null;
  title: string | null;
  content: string;
  receivedAt: string;
  deskDeadline: string;
  /** Milliseconds left on the 2-hour clock; negative when overdue. */
  msLeft: number;
  overdue: boolean;
  reason: string | null;
  suggestions: { unitId: string; unitName: string; score: number }[];
  claimedBy: string | null;
  duplicateOf: string | null;
  area: string | null;
  topic: string | null;
}
