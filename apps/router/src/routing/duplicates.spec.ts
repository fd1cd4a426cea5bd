import { findDuplicate } from './duplicates.js';

describe(findDuplicate.name, () => {
  const open = [
    { id: 'a', text: '神木市滨河路的路灯坏了两个月，晚上一片漆黑，行人出行很不安全' },
    { id: 'b', text: '神木市某小区物业乱收停车费' },
  ];

  it('finds the same problem told in other words', () => {
    expect(findDuplicate('滨河路路灯坏了两个多月了，晚上漆黑一片，走路很不安全', open)?.id).toBe('a');
  });

  it('leaves an unrelated message alone', () => {
    expect(findDuplicate('孩子上学的校车超载严重', open)).toBeUndefined();
  });
});
