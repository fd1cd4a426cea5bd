import { wechatMode, weiboMode } from './window.policy.js';

const now = new Date('2026-11-27T08:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const H = 3600_000;

describe('customer-service windows', () => {
  it('WeChat: 5 messages within 48 h of a message, then the template', () => {
    expect(wechatMode(undefined, now)).toBe('template');
    expect(wechatMode({ lastActivityAt: ago(47 * H), kind: 'message', sentInWindow: 4 }, now)).toBe('custom');
    expect(wechatMode({ lastActivityAt: ago(47 * H), kind: 'message', sentInWindow: 5 }, now)).toBe('template');
    expect(wechatMode({ lastActivityAt: ago(48 * H), kind: 'message', sentInWindow: 0 }, now)).toBe('template');
  });

  it('WeChat: 3 messages within a minute of a click, follow or scan; none after an unfollow', () => {
    expect(wechatMode({ lastActivityAt: ago(30_000), kind: 'click', sentInWindow: 2 }, now)).toBe('custom');
    expect(wechatMode({ lastActivityAt: ago(30_000), kind: 'scan', sentInWindow: 3 }, now)).toBe('template');
    expect(wechatMode({ lastActivityAt: ago(61_000), kind: 'follow', sentInWindow: 0 }, now)).toBe('template');
    expect(wechatMode({ lastActivityAt: ago(1000), kind: 'unfollow', sentInWindow: 0 }, now)).toBe('template');
  });

  it('Weibo: private replies for 48 h, one after a mention, else the comment thread, else nothing', () => {
    expect(weiboMode({ lastActivityAt: ago(H), kind: 'message', sentInWindow: 9 }, false, now)).toBe('message');
    expect(weiboMode({ lastActivityAt: ago(H), kind: 'mention', sentInWindow: 0 }, true, now)).toBe('message');
    expect(weiboMode({ lastActivityAt: ago(H), kind: 'mention', sentInWindow: 1 }, true, now)).toBe('comment');
    expect(weiboMode({ lastActivityAt: ago(49 * H), kind: 'message', sentInWindow: 0 }, false, now)).toBeUndefined();
    expect(weiboMode({ lastActivityAt: ago(H), kind: 'unfollow', sentInWindow: 0 }, true, now)).toBe('comment');
    expect(weiboMode({ lastActivityAt: ago(H), kind: 'unfollow', sentInWindow: 0 }, false, now)).toBeUndefined();
    // Nothing on record: the vendor decides.
    expect(weiboMode(undefined, false, now)).toBe('message');
  });
});
