import type { Attachment } from '@app/common';
import { z } from 'zod';

const objectKey = z.string().min(1).max(300);

export const PHOTO_DECISIONS = ['approve', 'hide'] as const;
export type PhotoDecision = (typeof PHOTO_DECISIONS)[number];

/** One decision per photo; photos not named keep their current review. */
export const photoReviewSchema = z.object({
  decisions: z
    .array(z.object({ objectKey, decision: z.enum(PHOTO_DECISIONS) }))
    .min(1)
    .max(20)
    .refine((d) => new Set(d.map((x) => x.objectKey)).size === d.length, '同一张照片只能有一个决定'),
  reason: z.string().trim().max(2000).optional(),
});
export type PhotoReviewDto = z.infer<typeof photoReviewSchema>;

/** The whole public text after the operator's masking; the service checks that it only adds `*`. */
export const publicTextSchema = z.object({
  title: z.string().max(200).nullish(),
  content: z.string().min(1).max(20000),
  reason: z.string().trim().min(1).max(2000),
});
export type PublicTextDto = z.infer<typeof publicTextSchema>;

export const MASK_CHAR = '*';

export interface DeskAttachment extends Attachment {
  /** Under GET /desk/cases/:id/media (staff token), not public. */
  url: string;
  thumbnailUrl?: string;
  review: PhotoDecision | 'pending' | null;
}

export interface DuplicateCandidate {
  inquiryId: string;
  trackingNo: string | null;
  title: string | null;
  status: string;
  receivedAt: string;
  /** Character-bigram similarity of the texts, 0–1. */
  similarity: number;
  /** The router flagged it as the duplicate when the case was queued. */
  flagged: boolean;
}

export interface DeskCaseDetail {
  inquiryId: string;
  trackingNo: string | null;
  channel: string;
  status: string;
  title: string | null;
  content: string;
  receivedAt: string;
  anonymous: boolean;
  deskDeadline: string | null;
  deskReason: string | null;
  claimedBy: string | null;
  location: { latitude?: number; longitude?: number; address?: string; area: string | null; place: string | null };
  classification: { topic: string | null; topicConfidence: number | null; inquiryType: string | null; routingConfidence: number | null };
  suggestions: { unitId: string; unitName: string; score: number }[];
  unit: { unitId: string; unitName: string | null; coUnitIds: string[] } | null;
  attachments: DeskAttachment[];
  duplicates: DuplicateCandidate[];
  publicText: { title: string | null; content: string; maskedByDesk: boolean };
  timeline: { action: string; actor: string; reason: string | null; details: unknown; at: string }[];
}
