/** GET /desk/cases/:id (apps/router/src/desk/desk-case.dto.ts). */
export interface DeskAttachment {
  kind: 'photo' | 'video' | 'voice' | 'file';
  objectKey: string;
  contentType: string;
  bytes: number;
  url: string;
  thumbnailUrl?: string;
  review: 'approve' | 'hide' | 'pending' | null;
}

export interface DeskCaseDetail {
  inquiryId: string;
  trackingNo: string | null;
  channel: string;
  status: string;
  title: string | null;
  content: string;
  receivedAt: string;
  deskDeadline: string | null;
  deskReason: string | null;
  claimedBy: string | null;
  location: { latitude?: number; longitude?: number; address?: string; area: string | null; place: string | null };
  classification: { topic: string | null; topicConfidence: number | null; inquiryType: string | null; routingConfidence: number | null };
  suggestions: { unitId: string; unitName: string; score: number }[];
  unit: { unitId: string; unitName: string | null; coUnitIds: string[] } | null;
  attachments: DeskAttachment[];
  duplicates: { inquiryId: string; trackingNo: string | null; title: string | null; status: string; similarity: number; flagged: boolean }[];
  publicText: { title: string | null; content: string; maskedByDesk: boolean };
  timeline: { action: string; actor: string; reason: string | null; at: string }[];
}
