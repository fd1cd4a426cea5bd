import { ChannelError } from '@app/common/channel/channel-error.js';
import { parseWeiboDate, toInboundMessage, toWeiboMessage } from './weibo-message.js';
import { parseWeiboJson } from './weibo-json.js';

const common = { receiver_id: 1902538057, sender_id: 2489518277, created_at: 'Mon Jul 16 18:09:20 +0800 2012', text: '' };
const inbound = (push: Record<string, unknown>) => toInboundMessage(toWeiboMessage({ ...common, ...push }), '1902538057');

describe('Weibo pushes', () => {
  it('maps every type of the reference to the common message', () => {
    expect(inbound({ type: 'text', text: '私信或留言内容', data: {} })?.body).toEqual({ kind: 'text', text: '私信或留言内容' });
    expect(inbound({ type: 'position', text: '我在这里: http://t.cn/zQgLLYO', data: { longitude: '116.308586', latitude: '39.982525' } })?.body).toEqual({
      kind: 'location',
      latitude: 39.982525,
      longitude: 116.308586,
    });
    expect(inbound({ type: 'image', data: { vfid: 821804459, tovfid: 821804469 } })?.body).toEqual({ kind: 'media', media: 'photo', vendorMediaId: '821804469' });
    expect(inbound({ type: 'voice', text: '发了一个语音消息', data: { vfid: 821804459, tovfid: 821804469 } })?.body).toMatchObject({ media: 'voice' });
    expect(inbound({ type: 'event', data: { subtype: 'follow' } })?.body).toEqual({ kind: 'follow' });
    expect(inbound({ type: 'event', data: { subtype: 'unsubscribe' } })?.body).toEqual({ kind: 'unfollow' });
    expect(inbound({ type: 'event', data: { subtype: 'scan_follow', key: 'k', ticket: 't' } })?.body).toEqual({ kind: 'follow' });
    expect(inbound({ type: 'event', data: { subtype: 'scan', key: 'k', ticket: 't' } })?.body).toMatchObject({ kind: 'ignored', citizenAction: true });
    expect(inbound({ type: 'event', data: { subtype: 'click', key: 'WZ_ASK' } })?.body).toEqual({ kind: 'menu', key: 'WZ_ASK' });
    expect(inbound({ type: 'event', data: { subtype: 'view', key: 'http://x' } })?.body).toMatchObject({ kind: 'ignored' });
    expect(inbound({ type: 'event', data: { subtype: 'something_new' } })?.body).toMatchObject({ kind: 'ignored' });
    const mention = inbound({ type: 'mention', text: '@榆林发布 路灯坏了', data: { subtype: 'status', key: '4990000000000000001' } });
    expect(mention).toMatchObject({ dedupKey: 'mention:status:4990000000000000001', body: { kind: 'mention', statusId: '4990000000000000001' } });
    expect(inbound({ type: 'mention', data: { subtype: 'comment', key: '4990000000000000002' } })?.body).toMatchObject({ kind: 'ignored' });
  });

  it('ignores unknown types rather than rejecting them', () => {
    expect(inbound({ type: 'hologram', data: {} })).toBeNull();
  });

  it('refuses a known push carrying U+0000 (PostgreSQL cannot store it), but still ignores an unknown type', () => {
    expect(() => toWeiboMessage({ ...common, type: 'text', text: '路灯\u0000坏了' })).toThrow(ChannelError);
    expect(() => toWeiboMessage({ ...common, type: 'event', data: { subtype: 'click', key: 'a\u0000' } })).toThrow(ChannelError);
    expect(inbound({ type: 'hologram', text: '\u0000' })).toBeNull();
  });

  it('keeps 64-bit ids exact as strings', () => {
    const parsed = parseWeiboJson('{"type":"mention","key":4990000000000000001,"small":821804469,"text":"id 4990000000000000001, ok"}') as Record<string, unknown>;
    expect(parsed).toEqual({ type: 'mention', key: '4990000000000000001', small: 821804469, text: 'id 4990000000000000001, ok' });
    expect(() => toWeiboMessage({ ...common, sender_id: 2 ** 60, type: 'text' })).toThrow(ChannelError);
  });

  it('de-duplicates by sender, time, type and content', () => {
    const a = inbound({ type: 'text', text: '一', data: {} })!.dedupKey;
    expect(inbound({ type: 'text', text: '一', data: {} })!.dedupKey).toBe(a);
    expect(inbound({ type: 'text', text: '二', data: {} })!.dedupKey).not.toBe(a);
    expect(inbound({ type: 'event', data: { subtype: 'follow' } })!.dedupKey).not.toBe(inbound({ type: 'event', data: { subtype: 'unfollow' } })!.dedupKey);
  });

  it('reads Weibo dates with their offset', () => {
    expect(parseWeiboDate('Mon Jul 16 18:09:20 +0800 2012')?.toISOString()).toBe('2012-07-16T10:09:20.000Z');
    expect(parseWeiboDate('2012-07-16')).toBeUndefined();
    expect(parseWeiboDate('Mon Jul 99 99:99:99 +0800 2012')).toBeUndefined();
    expect(parseWeiboDate('Thu Feb 30 10:00:00 +0800 2012')).toBeUndefined();
    expect(() => toWeiboMessage({ ...common, created_at: 'yesterday', type: 'text' })).toThrow(ChannelError);
  });
});
