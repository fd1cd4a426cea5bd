/**
 * What the notifier sends, one shape per channel. A message is rendered once when its delivery is planned
 * and stored as the delivery row's `message`; the dispatcher only adds what depends on the moment of
 * sending (the WeChat/Weibo mode chosen by the window, the unit's current webhook).
 */
export interface EmailMessage {
  channel: 'email';
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface WebhookMessage {
  channel: 'webhook';
  unitId: string;
  event: string;
  body: Record<string, unknown>;
  /** Filled in at send time from the unit's current contacts. */
  url?: string;
  secret?: string;
  /** Sent instead when the webhook gives up or is switched off (the unit's e-mail addresses). */
  fallback?: EmailMessage;
}

/** `custom` needs the citizen's 48-hour window; `template` does not and carries a link. */
export type WechatMode = 'custom' | 'template';
export interface WechatMessage {
  channel: 'wechat';
  openId: string;
  text: string;
  link: string;
  /** The template's fields (title, tracking number, status, remark). */
  template: { first: string; keyword1: string; keyword2: string; keyword3: string; remark: string };
  mode?: WechatMode;
}

/** `message` is a private reply (needs the window); `comment` answers in the post's comment thread. */
export type WeiboMode = 'message' | 'comment';
export interface WeiboMessage {
  channel: 'weibo';
  uid: string;
  text: string;
  commentText: string;
  thread?: { statusId: string; commentId?: string };
  mode?: WeiboMode;
}

export interface AppMessage {
  channel: 'app';
  userId: string;
  title: string;
  text: string;
  link: string;
}

export type Message = EmailMessage | WebhookMessage | WechatMessage | WeiboMessage | AppMessage;
export type DeliveryChannel = Message['channel'];
export const DELIVERY_CHANNELS: readonly DeliveryChannel[] = ['email', 'webhook', 'wechat', 'weibo', 'app'];

export interface DeliveryResult {
  /** The vendor's id for what it accepted (WeChat msgid, SMTP Message-ID, HTTP status …). */
  vendorRef?: string;
}

export interface Sender<M extends Message = Message> {
  send(message: M, context: SendContext): Promise<DeliveryResult>;
}

/** Per-call facts a sender needs and must not keep. */
export interface SendContext {
  /** The delivery's stable id: receivers can de-duplicate on it (Message-ID, X-Wenzheng-Delivery). */
  messageId: string;
  /**
   * Given for channels without an idempotency key: the sender awaits it once it has all the call needs (its
   * token), right before the request that may reach the citizen. It throws `CallNotStarted` when the call must
   * not be made.
   */
  callStarting?: () => Promise<void>;
}

/** The delivery's claim was lost before its vendor call: another dispatcher holds it now; nothing was sent. */
export class CallNotStarted extends Error {
  override readonly name = 'CallNotStarted';
}

/** Every vendor failure, coded as the vendor coded it (`45015`, `http_503`, `smtp_550`, `network`). */
export class VendorError extends Error {
  constructor(
    readonly channel: DeliveryChannel,
    readonly code: string,
    message: string,
    /** True when the vendor may have accepted the message although we saw an error (a timeout mid-request). */
    readonly outcomeUnknown = false,
    /** The credential the call used, so only that one is dropped on 40001/42001 (another instance may have refreshed). */
    readonly credential?: string,
  ) {
    super(`${channel} ${code}: ${message}`);
    this.name = 'VendorError';
  }
}

/** fetch with a timeout; a network failure becomes a VendorError so one handler sees every failure. */
export async function vendorFetch(channel: DeliveryChannel, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new VendorError(channel, timedOut ? 'timeout' : 'network', (error as Error).message, timedOut);
  }
}
