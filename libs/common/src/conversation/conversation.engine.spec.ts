import type { InboundBody, InboundMessage } from '../channel/inbound-message.js';
import { intentOf, type ConversationSnapshot } from './conversation.engine.js';

const settings = { menuAskKey: 'ASK', menuQueryKey: 'QUERY' };
const msg = (body: InboundBody): InboundMessage => ({
  channel: 'wechat',
  account: 'wx1',
  userId: 'u1',
  dedupKey: '1',
  sentAt: new Date(),
  body,
});
const idle: ConversationSnapshot = { draftOpen: false, surveyPending: false };
const drafting: ConversationSnapshot = { draftOpen: true, surveyPending: false };
const surveyed: ConversationSnapshot = { draftOpen: false, surveyPending: true };
const text = (t: string) => msg({ kind: 'text', text: t });

describe('intentOf', () => {
  it('welcomes a new follower and ignores unfollow and passive events', () => {
    expect(intentOf(msg({ kind: 'follow' }), idle, settings)).toEqual({ type: 'welcome' });
    expect(intentOf(msg({ kind: 'unfollow' }), idle, settings)).toEqual({ type: 'none' });
    expect(intentOf(msg({ kind: 'ignored', what: 'LOCATION' }), drafting, settings)).toEqual({ type: 'none' });
  });

  it('opens a draft from the menu key, a keyword or a type word', () => {
    expect(intentOf(msg({ kind: 'menu', key: 'ASK' }), idle, settings)).toEqual({ type: 'open' });
    expect(intentOf(msg({ kind: 'menu', key: 'QUERY' }), idle, settings)).toEqual({ type: 'query' });
    expect(intentOf(text('我要问政'), idle, settings)).toEqual({ type: 'open' });
    expect(intentOf(text('投诉'), idle, settings)).toEqual({ type: 'open', typeHint: '投诉' });
  });

  it('opens a draft from a single text of 15 characters or more, and explains shorter ones', () => {
    const long = '小区门口的路灯坏了两周没人修'; // 14 characters
    expect(intentOf(text(long), idle, settings)).toEqual({ type: 'help' });
    expect(intentOf(text(`${long}。`), idle, settings)).toEqual({ type: 'help' }); // trailing punctuation does not count
    expect(intentOf(text(`${long}了`), idle, settings)).toEqual({ type: 'open', first: { kind: 'text', text: `${long}了` } });
  });

  it('gathers text, media and locations into an open draft', () => {
    expect(intentOf(text('补充一点'), drafting, settings)).toEqual({ type: 'add', addition: { kind: 'text', text: '补充一点' } });
    expect(intentOf(msg({ kind: 'media', media: 'photo', vendorMediaId: 'm' }), drafting, settings)).toMatchObject({
      type: 'add',
      addition: { kind: 'media', media: 'photo' },
    });
    expect(intentOf(msg({ kind: 'location', latitude: 1, longitude: 2 }), idle, settings)).toMatchObject({
      type: 'open',
      first: { kind: 'location' },
    });
  });

  it('understands 提交, 取消, 查询 and 补充', () => {
    expect(intentOf(text(' 提交 '), drafting, settings)).toEqual({ type: 'submit' });
    expect(intentOf(text('取消'), drafting, settings)).toEqual({ type: 'cancel' });
    expect(intentOf(text('查询'), idle, settings)).toEqual({ type: 'query' });
    expect(intentOf(text('补充：地点在人民路'), idle, settings)).toEqual({ type: 'supplement', text: '地点在人民路' });
  });

  it('sends the next plain text to the case while the desk waits for an answer', () => {
    const asked: ConversationSnapshot = { draftOpen: false, surveyPending: false, infoRequested: true };
    expect(intentOf(text('人民路88号'), asked, settings)).toEqual({ type: 'answer_info', text: '人民路88号' });
    expect(intentOf(text('查询'), asked, settings)).toEqual({ type: 'query' });
    expect(intentOf(text('人民路88号'), { ...asked, draftOpen: true }, settings)).toMatchObject({ type: 'add' });
  });

  it('turns a public mention into an inquiry of its own, whatever the private conversation is doing', () => {
    const mention = msg({ kind: 'mention', text: ' @榆林发布 路灯坏了 ', statusId: '49', commentId: '50' });
    const expected = { type: 'mention', text: '@榆林发布 路灯坏了', thread: { statusId: '49', commentId: '50' } };
    expect(intentOf(mention, idle, settings)).toEqual(expected);
    expect(intentOf(mention, drafting, settings)).toEqual(expected);
    expect(intentOf(msg({ kind: 'mention', text: ' ', statusId: '49' }), idle, settings)).toEqual({ type: 'none' });
  });

  it('records a rating only while a survey is pending', () => {
    expect(intentOf(text('1'), surveyed, settings)).toEqual({ type: 'rate', rating: '满意' });
    expect(intentOf(text('3'), surveyed, settings)).toEqual({ type: 'rate', rating: '不满意' });
    expect(intentOf(text('基本满意'), surveyed, settings)).toEqual({ type: 'rate', rating: '基本满意' });
    expect(intentOf(text('1'), idle, settings)).toEqual({ type: 'help' });
  });
});
