import { citizenLockKey, ConversationRepository } from './conversation.repository.js';

describe('ConversationRepository lock statement', () => {
  const repo = new ConversationRepository();
  const a = { channel: 'wechat', account: 'wx1', userId: "o'; DROP TABLE conv_drafts; --" };
  const b = { channel: 'wechat', account: 'wx1', userId: 'oB' };

  it('locks each citizen once, in one order, by integer keys', () => {
    const { text, values } = repo.lockCitizens([b, a, b]);
    const keys = values![1] as number[];
    expect(keys).toEqual([citizenLockKey(a), citizenLockKey(b)].sort((x, y) => x - y));
    expect(text).not.toContain('DROP');
    expect(keys.every((k) => Number.isInteger(k) && k >= -(2 ** 31) && k < 2 ** 31)).toBe(true);
  });

  it('keys a citizen by channel, account and user together', () => {
    expect(citizenLockKey({ channel: 'wechat', account: 'a', userId: 'bc' })).not.toBe(citizenLockKey({ channel: 'wechat', account: 'ab', userId: 'c' }));
    expect(citizenLockKey(b)).toBe(citizenLockKey({ ...b }));
  });
});
