import type { Channel } from '../contracts/common.schemas.js';

export type MediaKind = 'photo' | 'video' | 'voice';

/** What a citizen sent, in channel-independent terms; vendor types stop at each channel's mapper. */
export type InboundBody =
  | { kind: 'text'; text: string }
  | { kind: 'media'; media: MediaKind; vendorMediaId: string; /** speech-to-text of a voice message */ recognition?: string }
  | { kind: 'location'; latitude: number; longitude: number; address?: string }
  | { kind: 'link'; title: string; url: string; description?: string }
  | { kind: 'follow' }
  | { kind: 'unfollow' }
  | { kind: 'menu'; key: string }
  /** A public post or comment that names the city's account (Weibo @mention): an inquiry by itself, public-origin. */
  | { kind: 'mention'; text: string; statusId: string; commentId?: string }
  /** Understood but not part of a conversation (position reports, template receipts, menu links). */
  | { kind: 'ignored'; what: string; /** a deliberate act of the citizen (a QR scan) that opens reply windows */ citizenAction?: boolean };

export interface InboundMessage {
  channel: Channel;
  /** The receiving account on the vendor (WeChat AppID, Weibo uid of the city account). */
  account: string;
  /** The citizen's id on the vendor (WeChat OpenID, Weibo uid). */
  userId: string;
  /** The de-duplication key of the push (MsgId, or FromUserName+CreateTime+Event for events). */
  dedupKey: string;
  /** The vendor's message id, as a string, when it has one. */
  vendorMessageId?: string;
  /** When the vendor says the citizen sent it. */
  sentAt: Date;
  body: InboundBody;
}
