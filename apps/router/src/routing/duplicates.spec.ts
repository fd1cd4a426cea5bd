import { bigrams, DuplicateIndex, findDuplicate } from './duplicates.js';

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

describe(DuplicateIndex.name, () => {
  it('answers as findDuplicate does over the same candidates', () => {
    const open = [
      { id: 'a', text: '神木市滨河路的路灯坏了两个月，晚上一片漆黑，行人出行很不安全' },
      { id: 'b', text: '神木市某小区物业乱收停车费' },
      { id: 'c', text: '滨河路路灯坏了，晚上很黑' },
    ];
    const index = new DuplicateIndex<{ id: string }>();
    for (const c of open) index.add(c, bigrams(c.text));
    for (const text of ['滨河路路灯坏了两个多月了，晚上漆黑一片，走路很不安全', '孩子上学的校车超载严重', '小区物业乱收停车费，神木市', '']) {
      expect(index.best(bigrams(text))?.id).toBe(findDuplicate(text, open)?.id);
    }
  });
});
