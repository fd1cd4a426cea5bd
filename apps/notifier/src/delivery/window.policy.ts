import type { WechatMode, WeiboMode } from '../senders/sender.js';

export interface WindowState {
  lastActivityAt: Date;
  kind: string;
  sentInWindow: number;
}

const HOUR = 3600_000;

/**
 * The customer-service windows, as the vendors count them (wechat.md, weibo.md): 5 messages within 48 h of
 * a citizen's message, 3 within 1 minute of a click/follow/scan; Weibo 48 h, one reply after a mention,
 * none after an unfollow.
 */
export function wechatMode(state: WindowState | undefined, now: Date): WechatMode {
  if (!state || state.kind === 'unfollow') return 'template';
  const age = now.getTime() - state.lastActivityAt.getTime();
  const shortWindow = state.kind === 'click' || state.kind === 'follow' || state.kind === 'scan';
  const [span, quota] = shortWindow ? [60_000, 3] : [48 * HOUR, 5];
  return age >= 0 && age < span && state.sentInWindow < quota ? 'custom' : 'template';
}

/**
 * No state: the citizen's activity is not on record here yet (the consumer that records it may be behind, as when
 * an instance that held its partitions was killed), so Weibo decides; a closed window answers an error, which
 * falls back to the thread or gives up (DeliveryErrorHandler). Undefined: known closed and no thread.
 */
export function weiboMode(state: WindowState | undefined, hasThread: boolean, now: Date): WeiboMode | undefined {
  if (!state) return 'message';
  const open =
    state.kind !== 'unfollow' &&
    now.getTime() - state.lastActivityAt.getTime() < 48 * HOUR &&
    (state.kind !== 'mention' || state.sentInWindow < 1);
  if (open) return 'message';
  return hasThread ? 'comment' : undefined;
}
