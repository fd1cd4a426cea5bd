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
  const open = [
    { id: 'a', text: '神木市滨河路的路灯坏了两个月，晚上一片漆黑，行人出行很不安全' },
    { id: 'b', text: '神木市某小区物业乱收停车费' },
    { id: 'c', text: '滨河路路灯坏了，晚上很黑' },
  ];
  const texts = ['滨河路路灯坏了两个多月了，晚上漆黑一片，走路很不安全', '孩子上学的校车超载严重', '小区物业乱收停车费，神木市', ''];
  const gramsOf = (id: string) => bigrams(open.find((c) => c.id === id)!.text);

  it('answers as findDuplicate does over the same candidates', () => {
    const index = new DuplicateIndex();
    for (const c of open) index.add(c.id, bigrams(c.text));
    for (const text of texts) expect(index.best(bigrams(text))).toBe(findDuplicate(text, open)?.id);
  });

  it('follows the candidates from batch to batch: a case that closed is no longer found, a new one is', () => {
    const index = new DuplicateIndex();
    index.syncTo(['a', 'b'], gramsOf);
    expect(index.best(bigrams(texts[0]))).toBe('a');
    index.syncTo(['b', 'c'], gramsOf);
    expect([index.size, index.has('a')]).toEqual([2, false]);
    expect(index.best(bigrams(texts[0]))).toBe(findDuplicate(texts[0], open.slice(1))?.id);
    index.syncTo([], gramsOf);
    expect(index.best(bigrams(texts[0]))).toBeUndefined();
  });

  it('gives a tie to the newest case, and stays right after many cases came and went', () => {
    const index = new DuplicateIndex();
    const text = '榆阳区人民路红绿灯坏了';
    for (let i = 0; i < 300; i++) index.add(`old${i}`, bigrams(`${i}号楼楼道灯不亮已经很久了第${i}次`));
    index.add('first', bigrams(text));
    index.add('second', bigrams(text));
    expect(index.best(bigrams(text))).toBe('second');
    index.syncTo(['first'], (id) => (id === 'first' ? bigrams(text) : undefined));
    expect([index.size, index.best(bigrams(text))]).toEqual([1, 'first']);
  });
});
