import { readFileSync } from 'node:fs';
import { mulberry32 } from '../classifier/topic-training.js';
import { bigrams, DUPLICATE_THRESHOLD, DuplicateIndex, findDuplicate } from './duplicates.js';

const e2eTexts = readFileSync('bench/data/e2e-texts.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { title?: string; content: string })
  .map((r) => [r.title, r.content].filter(Boolean).join('。'));

describe(bigrams.name, () => {
  const reference = (text: string) => {
    const clean = text.replace(/[\s\p{P}\p{S}0-9a-zA-Z]+/gu, '');
    const out = new Set<string>();
    for (let i = 0; i + 2 <= clean.length; i++) out.add(clean.slice(i, i + 2));
    return out;
  };
  const asPairs = (grams: Uint32Array) => [...grams].map((g) => String.fromCharCode(g >>> 16, g & 0xffff));

  it('takes out the same characters as the Unicode-property pattern, surrogates included', () => {
    const odd = ['', '路', '路灯', '１２３ＡＢ，路灯！！坏了～～', '水管\u3000漏水\u00a0\ufeff', '𠀀𠀁路灯𠀀', '路😀灯😀坏', '\ud800路\udc00灯', '灯\ud83d', '𐄀水𐄀'];
    const texts = [...odd, ...e2eTexts];
    expect(texts.map((t) => asPairs(bigrams(t)).sort())).toEqual(texts.map((t) => [...reference(t)].sort()));
  });

  it('answers each pair once, in ascending order', () => {
    const grams = bigrams('路灯路灯坏了路灯');
    expect(asPairs(grams)).toEqual(['了路', '坏了', '灯坏', '灯路', '路灯']);
    expect([...grams]).toEqual([...grams].sort((a, b) => a - b));
  });
});

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

  it('gives what scoring every live case gives, over many cases, removals, thresholds and near-copies', () => {
    const random = mulberry32(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const edit = (text: string) => {
      let out = text;
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
        const at = Math.floor(random() * out.length);
        out = out.slice(0, at) + (random() < 0.5 ? pick(e2eTexts).slice(0, 3) : '') + out.slice(at + 1 + Math.floor(random() * 3));
      }
      return out;
    };
    // Strings of a few characters share many bigrams, so many pairs score near any threshold.
    const alphabet = [...'路灯坏了小区物业停车费'];
    const short = () => Array.from({ length: 8 + Math.floor(random() * 40) }, () => pick(alphabet)).join('');

    // The plain way: every live case scored, the latest of the best at or above the threshold.
    const live: { id: string; grams: Uint32Array }[] = [];
    const scores = (grams: Uint32Array) => {
      const query = new Set(grams);
      return live.map((c) => {
        let shared = 0;
        for (const g of c.grams) if (query.has(g)) shared++;
        return { id: c.id, shared, score: (2 * shared) / (grams.length + c.grams.length) };
      });
    };
    const reference = (scored: ReturnType<typeof scores>, threshold: number) => {
      let best: string | undefined;
      let bestScore = 0;
      for (const { id, shared, score } of scored) {
        if (shared > 0 && score >= threshold && score >= bestScore) [best, bestScore] = [id, score];
      }
      return best;
    };

    for (const source of [() => pick(e2eTexts), short]) {
      const index = new DuplicateIndex();
      const texts: string[] = [];
      let found = 0;
      let queries = 0;
      for (let n = 0; n < 800; n++) {
        const r = random();
        if (n === 250) {
          // Many cases closing at once: the index compacts.
          for (const gone of live.splice(0, Math.floor(live.length * 0.7))) index.remove(gone.id);
        } else if (r < 0.15 && live.length > 0) {
          index.remove(live.splice(Math.floor(random() * live.length), 1)[0].id);
        } else {
          const text = r < 0.3 && texts.length ? edit(pick(texts)) : r < 0.35 && texts.length ? pick(texts) : source();
          const id = `c${n}`;
          texts.push(text);
          live.push({ id, grams: bigrams(text) });
          index.add(id, bigrams(text));
        }
        if (n < 150 || n % 5) continue;
        for (const query of [pick(texts), edit(pick(texts)), edit(edit(pick(texts))), source()]) {
          const grams = bigrams(query);
          const scored = scores(grams);
          for (const threshold of [DUPLICATE_THRESHOLD, 0.2 + random() * 0.7, 0, 1]) {
            const expected = reference(scored, threshold);
            expect(index.best(grams, threshold)).toBe(expected);
            queries++;
            if (expected) found++;
          }
        }
      }
      expect(index.size).toBe(live.length);
      // Not a vacuous comparison: a fair share of the queries does have a duplicate, and not all of them do.
      expect(found / queries).toBeGreaterThan(0.3);
      expect(found / queries).toBeLessThan(0.9);
      live.length = 0;
    }
  });
});
