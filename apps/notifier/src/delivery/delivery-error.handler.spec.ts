import type { Message, WechatMessage, WeiboMessage } from '../senders/sender.js';
import { VendorError } from '../senders/sender.js';
import { DeliveryErrorHandler } from './delivery-error.handler.js';

const handler = new DeliveryErrorHandler({ maxAttempts: 3, baseMs: 1000, maxMs: 8000, windowWaitMs: 60000 });
const wechat = (mode: 'custom' | 'template'): WechatMessage => ({
  channel: 'wechat', openId: 'o1', text: 't', link: 'https://x', mode,
  template: { first: '', keyword1: '', keyword2: '', keyword3: '', remark: '' },
});
const weibo = (thread: boolean): WeiboMessage => ({ channel: 'weibo', uid: '1', text: 't', commentText: 'c', mode: 'message', thread: thread ? { statusId: '9' } : undefined });
const email: Message = { channel: 'email', to: ['a@b.cn'], subject: 's', text: 't', html: 'h' };
const err = (m: Message, code: string) => new VendorError(m.channel, code, 'x');
const action = (m: Message, code: string, attempt = 1, refreshed = false) => handler.decide(err(m, code), m, attempt, refreshed).action;

describe(DeliveryErrorHandler.name, () => {
  it('retries WeChat -1 (busy) and gives up after the last attempt', () => {
    expect(action(wechat('custom'), '-1', 1)).toBe('retry');
    expect(action(wechat('custom'), '-1', 3)).toBe('give_up');
  });

  it('refreshes the token once on 40001/40014/42001, then treats it as transient', () => {
    for (const code of ['40001', '40014', '42001']) expect(action(wechat('template'), code)).toBe('refresh_token');
    expect(action(wechat('template'), '42001', 1, true)).toBe('retry');
  });

  it('falls back to the template on 45015 (window closed) and 45002 (too long), waits for the window on 45047', () => {
    expect(action(wechat('custom'), '45015')).toBe('fallback');
    expect(action(wechat('custom'), '45002')).toBe('fallback');
    expect(action(wechat('template'), '45015')).toBe('give_up');
    expect(handler.decide(err(wechat('custom'), '45047'), wechat('custom'), 1)).toEqual(expect.objectContaining({ action: 'wait_window', delayMs: 60000 }));
  });

  it('gives up on what the citizen decided (48002 refused, 43004 not following, 40003 bad OpenID)', () => {
    for (const code of ['48002', '43004', '40003']) expect(action(wechat('custom'), code)).toBe('give_up');
  });

  it('gives up on a Weibo token error, falls back to the comment thread on other refusals when there is one', () => {
    expect(action(weibo(true), '21327')).toBe('give_up');
    expect(action(weibo(true), '10008')).toBe('fallback');
    expect(action(weibo(false), '10008')).toBe('give_up');
    expect(action(weibo(true), 'http_503')).toBe('retry');
  });

  it('never repeats a citizen message whose outcome is unknown (timeout), but repeats a unit e-mail', () => {
    const timeout = (m: Message) => new VendorError(m.channel, 'timeout', 'x', true);
    expect(handler.decide(timeout(wechat('custom')), wechat('custom'), 1).action).toBe('give_up');
    expect(handler.decide(timeout(weibo(true)), weibo(true), 1).action).toBe('give_up');
    expect(handler.decide(timeout(email), email, 1).action).toBe('retry');
  });

  it('retries SMTP 4xx and network trouble, gives up on 5xx', () => {
    expect(action(email, 'smtp_451')).toBe('retry');
    expect(action(email, 'network')).toBe('retry');
    expect(action(email, 'smtp_550')).toBe('give_up');
  });

  it('backs off exponentially with jitter, capped', () => {
    for (let i = 0; i < 50; i++) {
      expect(handler.backoff(1)).toBeGreaterThanOrEqual(500);
      expect(handler.backoff(1)).toBeLessThanOrEqual(1000);
      expect(handler.backoff(10)).toBeLessThanOrEqual(8000);
    }
  });
});
