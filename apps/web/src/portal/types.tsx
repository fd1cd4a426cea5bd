export interface PublicCase {
  inquiryId: string;
  trackingNo?: string;
  title?: string;
  content: string;
  category?: string;
  county?: string;
  unitName?: string;
  receivedAt?: string;
  repliedAt: string;
  reply: string;
  status: string;
  pageViews: number;
  photos?: { url: string; thumbnailUrl?: string }[];
}
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
export interface Figures {
  received: number;
  replied: number;
  replyRate: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
  pageViews?: number;
  unitId?: string;
  unitName?: string;
}
