import { VendorError, type Message } from '../senders/sender.js';

export type Decision =
  | { action: 'retry'; delayMs: number; reason: string }
  /** Drop the refused token and send again at once (once per attempt). */
  | { action: 'refresh_token'; reason: string }
  /** Send again at once in the other mode (WeChat template, Weibo comment thread). */
  | { action: 'fallback'; reason: string }
  /** The citizen's window is spent: wait for their next action (or fall back when the wait ends). */
  | { action: 'wait_window'; delayMs: number; reason: string }
  | { action: 'give_up'; reason: string };

export interface RetrySettings {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  windowWaitMs: number;
}

const WECHAT_TOKEN_CODES = new Set(['40001', '40014', '42001']);
const WECHAT_USER_CODES = new Set(['40003', '43004', '48002']);
const WEIBO_TOKEN_CODES = new Set(['21327', '21332']);
const TRANSIENT = /^(network|timeout|http_5\d\d|http_429|http_408|smtp_4\d\d)$/;

/**
 * The one place that decides what a failure means (STYLE: one vendor exception type, one handler).
 * `attempt` counts this attempt; a retry past `maxAttempts` becomes giving up (the row is the dead letter).
 */
export class DeliveryErrorHandler {
  constructor(private readonly settings: RetrySettings) {}

  decide(error: unknown, message: Message, attempt: number, alreadyRefreshed = false): Decision {
    if (!(error instanceof VendorError)) return this.retry(attempt, `internal: ${(error as Error)?.message ?? String(error)}`);
    const reason = error.message;
    const code = error.code;
    // The vendor may have taken it (a timeout mid-request) and takes no idempotency key: a citizen is never sent twice.
    if (error.outcomeUnknown && (message.channel === 'wechat' || message.channel === 'weibo')) {
      return { action: 'give_up', reason: `outcome unknown, not re-sent: ${reason}` };
    }
    switch (message.channel) {
      case 'wechat':
        if (code === '-1') return this.retry(attempt, reason);
        if (WECHAT_TOKEN_CODES.has(code)) return alreadyRefreshed ? this.retry(attempt, reason) : { action: 'refresh_token', reason };
        if ((code === '45015' || code === '45002') && message.mode === 'custom') return { action: 'fallback', reason };
        if (code === '45047') return { action: 'wait_window', delayMs: this.settings.windowWaitMs, reason };
        if (WECHAT_USER_CODES.has(code)) return { action: 'give_up', reason };
        break;
      case 'weibo':
        if (WEIBO_TOKEN_CODES.has(code)) return { action: 'give_up', reason: `${reason} (renew WEIBO_ACCESS_TOKEN)` };
        if (!TRANSIENT.test(code) && message.mode !== 'comment' && message.thread) return { action: 'fallback', reason };
        break;
      case 'webhook':
        // Every webhook failure counts towards switching it off, so every one is retried until then.
        if (code === 'no_webhook') return { action: 'give_up', reason };
        return this.retry(attempt, reason);
      case 'email':
      case 'app':
        break;
      default: {
        const unknown: never = message;
        return { action: 'give_up', reason: `unknown channel ${JSON.stringify(unknown)}` };
      }
    }
    return TRANSIENT.test(code) ? this.retry(attempt, reason) : { action: 'give_up', reason };
  }

  backoff(attempt: number): number {
    const exponential = Math.min(this.settings.maxMs, this.settings.baseMs * 2 ** (attempt - 1));
    return Math.round(exponential / 2 + (Math.random() * exponential) / 2);
  }

  private retry(attempt: number, reason: string): Decision {
    if (attempt >= this.settings.maxAttempts) return { action: 'give_up', reason: `${reason} (after ${attempt} attempts)` };
    return { action: 'retry', delayMs: this.backoff(attempt), reason };
  }
}
