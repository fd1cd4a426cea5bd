import type { InquiryType } from '../contracts/common.schemas.js';
import { RATINGS, type Rating } from '../contracts/inquiry-interaction.v1.js';
import type { InboundMessage, MediaKind } from '../channel/inbound-message.js';

/** What the citizen's message means, given whether a draft is open and a survey is pending. */
export type Intent =
  | { type: 'welcome' }
  | { type: 'open'; typeHint?: InquiryType; first?: DraftAddition }
  | { type: 'add'; addition: DraftAddition }
  | { type: 'submit' }
  | { type: 'cancel' }
  | { type: 'query' }
  | { type: 'supplement'; text: string }
  | { type: 'answer_info'; text: string }
  | { type: 'rate'; rating: Rating }
  | { type: 'mention'; text: string; thread: { statusId: string; commentId?: string } }
  | { type: 'help' }
  | { type: 'none' };

export type DraftAddition =
  | { kind: 'text'; text: string }
  | { kind: 'media'; media: MediaKind; vendorMediaId: string; recognition?: string }
  | { kind: 'location'; latitude: number; longitude: number; address?: string };

export interface ConversationSnapshot {
  draftOpen: boolean;
  surveyPending: boolean;
  /** The desk asked this citizen a question about a case. */
  infoRequested?: boolean;
}

export interface IntentSettings {
  /** Menu CLICK keys. */
  menuAskKey: string;
  menuQueryKey: string;
}

/** A single text this long, outside a draft, opens one (issue 4). */
export const LONG_TEXT_CHARS = 15;

const OPEN_WORDS = new Set(['问政', '我要问政', '反映问题', '我要反映']);
const TYPE_WORDS = new Set<string>(['咨询', '投诉', '建议', '求助', '举报']);
const RATING_BY_DIGIT: Record<string, Rating> = { '1': '满意', '2': '基本满意', '3': '不满意' };

const normalise = (text: string): string => text.trim().replace(/[。.!！]+$/u, '');

/** Decides what a message means; pure, so every rule of the conversation is unit-testable. */
export function intentOf(message: InboundMessage, snapshot: ConversationSnapshot, settings: IntentSettings): Intent {
  const body = message.body;
  switch (body.kind) {
    case 'follow':
      return { type: 'welcome' };
    case 'unfollow':
    case 'ignored':
      return { type: 'none' };
    case 'menu':
      if (body.key === settings.menuAskKey) return { type: 'open' };
      if (body.key === settings.menuQueryKey) return { type: 'query' };
      return { type: 'none' };
    case 'media': {
      const addition: DraftAddition = { kind: 'media', media: body.media, vendorMediaId: body.vendorMediaId, recognition: body.recognition };
      return snapshot.draftOpen ? { type: 'add', addition } : { type: 'open', first: addition };
    }
    case 'location': {
      const addition: DraftAddition = { kind: 'location', latitude: body.latitude, longitude: body.longitude, address: body.address };
      return snapshot.draftOpen ? { type: 'add', addition } : { type: 'open', first: addition };
    }
    case 'link': {
      const text = [body.title, body.url].filter(Boolean).join(' ');
      if (!text) return { type: 'none' };
      return snapshot.draftOpen ? { type: 'add', addition: { kind: 'text', text } } : { type: 'help' };
    }
    case 'text':
      return textIntent(body.text, snapshot);
    case 'mention':
      // A public post is complete as it stands: it never joins or opens a private draft.
      if (!body.text.trim()) return { type: 'none' };
      return { type: 'mention', text: body.text.trim(), thread: { statusId: body.statusId, commentId: body.commentId } };
  }
}

/** True when the message submits an open draft (whatever else the citizen's state). */
export function submitsDraft(message: InboundMessage): boolean {
  return message.body.kind === 'text' && textIntent(message.body.text, { draftOpen: true, surveyPending: false }).type === 'submit';
}

function textIntent(raw: string, snapshot: ConversationSnapshot): Intent {
  const text = normalise(raw);
  if (snapshot.surveyPending) {
    const rating = RATING_BY_DIGIT[text] ?? (RATINGS as readonly string[]).find((r) => r === text);
    if (rating) return { type: 'rate', rating: rating as Rating };
  }
  if (text === '提交') return { type: 'submit' };
  if (text === '取消') return { type: 'cancel' };
  if (text === '查询' || text === '进度') return { type: 'query' };
  const supplement = /^补充[\s:：,，]*([\s\S]*)$/u.exec(raw.trim());
  if (supplement && !snapshot.draftOpen) return { type: 'supplement', text: supplement[1].trim() };
  if (!snapshot.draftOpen) {
    if (snapshot.infoRequested && text) return { type: 'answer_info', text: raw.trim() };
    if (OPEN_WORDS.has(text)) return { type: 'open' };
    if (TYPE_WORDS.has(text)) return { type: 'open', typeHint: text as InquiryType };
    if ([...text].length >= LONG_TEXT_CHARS) return { type: 'open', first: { kind: 'text', text: raw.trim() } };
    return { type: 'help' };
  }
  if (!text) return { type: 'none' };
  return { type: 'add', addition: { kind: 'text', text: raw.trim() } };
}
