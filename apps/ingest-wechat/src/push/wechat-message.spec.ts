import { ChannelError } from '@app/common/channel/channel-error.js';
import { toInboundMessage, toWechatMessage } from './wechat-message.js';

const base = { ToUserName: 'gh_1', FromUserName: 'oUser1', CreateTime: '1700000000' };
const map = (fields: Record<string, string>) => toInboundMessage(toWechatMessage({ ...base, ...fields }), 'wx1');

describe('toWechatMessage / toInboundMessage', () => {
  it.each([
    [{ MsgType: 'text', Content: '你好', MsgId: '6054768590064713728' }, { kind: 'text', text: '你好' }],
    [{ MsgType: 'image', PicUrl: 'http://p', MediaId: 'm1', MsgId: '1' }, { kind: 'media', media: 'photo', vendorMediaId: 'm1' }],
    [{ MsgType: 'voice', MediaId: 'm2', Format: 'amr', Recognition: '路灯坏了', MsgId: '2' }, { kind: 'media', media: 'voice', recognition: '路灯坏了' }],
    [{ MsgType: 'voice', MediaId: 'm2', Format: 'amr', MsgId: '3' }, { kind: 'media', media: 'voice', recognition: undefined }],
    [{ MsgType: 'video', MediaId: 'm3', ThumbMediaId: 't', MsgId: '4' }, { kind: 'media', media: 'video' }],
    [{ MsgType: 'shortvideo', MediaId: 'm4', ThumbMediaId: 't', MsgId: '5' }, { kind: 'media', media: 'video' }],
    [
      { MsgType: 'location', Location_X: '38.28', Location_Y: '109.73', Scale: '15', Label: '榆林', MsgId: '6' },
      { kind: 'location', latitude: 38.28, longitude: 109.73, address: '榆林' },
    ],
    [{ MsgType: 'link', Title: 't', Description: 'd', Url: 'http://u', MsgId: '7' }, { kind: 'link', title: 't', url: 'http://u' }],
    [{ MsgType: 'event', Event: 'subscribe', EventKey: 'qrscene_1', Ticket: 'x' }, { kind: 'follow' }],
    [{ MsgType: 'event', Event: 'unsubscribe' }, { kind: 'unfollow' }],
    [{ MsgType: 'event', Event: 'SCAN', EventKey: '1', Ticket: 'x' }, { kind: 'ignored', citizenAction: true }],
    [{ MsgType: 'event', Event: 'LOCATION', Latitude: '1', Longitude: '2', Precision: '3' }, { kind: 'ignored' }],
    [{ MsgType: 'event', Event: 'CLICK', EventKey: 'WZ_ASK' }, { kind: 'menu', key: 'WZ_ASK' }],
    [{ MsgType: 'event', Event: 'VIEW', EventKey: 'http://x' }, { kind: 'ignored' }],
    [{ MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', Status: 'success', MsgID: '9' }, { kind: 'ignored' }],
    [{ MsgType: 'event', Event: 'subscribe_msg_popup_event' }, { kind: 'ignored' }],
  ])('maps %j', (fields, body) => {
    expect(map(fields)?.body).toMatchObject(body);
  });

  it('keys messages by MsgId (a string) and events by FromUserName + CreateTime + Event', () => {
    expect(map({ MsgType: 'text', Content: 'x', MsgId: '6054768590064713728' })).toMatchObject({
      dedupKey: '6054768590064713728',
      vendorMessageId: '6054768590064713728',
      sentAt: new Date(1700000000 * 1000),
    });
    expect(map({ MsgType: 'event', Event: 'CLICK', EventKey: 'k' })?.dedupKey).toBe('oUser1:1700000000:CLICK');
  });

  it('returns null for unknown types and refuses missing required fields', () => {
    expect(map({ MsgType: 'miniprogrampage' })).toBeNull();
    expect(() => map({ MsgType: 'text', Content: 'x' })).toThrow(ChannelError);
    expect(() => map({ MsgType: 'image', MsgId: '1' })).toThrow(ChannelError);
    expect(() => toWechatMessage({ ...base, CreateTime: 'soon', MsgType: 'text' })).toThrow(ChannelError);
  });
});
