import { readFileSync } from 'node:fs';
import { mulberry32 } from '../classifier/topic-training.js';
import { Gazetteer, type PlaceMatch } from './gazetteer.js';
import { loadGazetteerData } from './seed-data.js';

describe(Gazetteer.name, () => {
  const gazetteer = new Gazetteer(loadGazetteerData('apps/router/data'));

  it('finds the county and the finest place, preferring the longest name', () => {
    expect(gazetteer.find('神木市大柳塔镇的通村公路烂了')).toMatchObject({ area: '神木市', place: '大柳塔镇', ambiguous: false });
    expect(gazetteer.find('我住在定边县紫薇花园小区')).toMatchObject({ area: '定边县', place: '定边县' });
  });

  it('reads a town named without its suffix, and its county follows', () => {
    expect(gazetteer.find('府谷县哈镇镇上停电')).toMatchObject({ area: '府谷县', place: '哈镇' });
    expect(gazetteer.find('高家堡镇上的路灯坏了')).toMatchObject({ area: '神木市', place: '高家堡镇' });
    expect(gazetteer.find('绥德四十里铺附近停水')).toMatchObject({ area: '绥德县', place: '四十里铺' });
  });

  it('does not take a shop named after a town for the town', () => {
    expect(gazetteer.find('榆阳区长城路上的高家堡饭店油烟扰民')).toMatchObject({ area: '榆阳区' });
    expect(gazetteer.find('高家堡饭店卫生太差').area).toBeUndefined();
  });

  it('maps an informal name to its zone, and a contested name to the county also named', () => {
    expect(gazetteer.find('开发区的学校划片不合理')).toMatchObject({ area: '高新区', county: '榆阳区' });
    expect(gazetteer.find('神木西沙那边的路坏了')).toMatchObject({ area: '神木市' });
  });

  it('maps coordinates to the nearest county seat', () => {
    expect(gazetteer.nearest(37.59, 107.61)).toMatchObject({ area: '定边县', placeKind: 'coordinates' });
    expect(gazetteer.nearest(38.28, 109.74)).toMatchObject({ area: '榆阳区' });
  });

  it('finds what trying every length at every position finds', () => {
    type Entry = { bare?: boolean; strong: boolean };
    const internals = gazetteer as unknown as { entries: Map<string, Entry[]>; resolve(hits: Entry[][]): PlaceMatch };
    const NOT_A_PLACE_AFTER = /^(饭店|餐馆|餐厅|酒店|宾馆|超市|商店|面馆|小吃|烧烤|公司|店|酒楼|火锅|驴肉|商行)/;
    const PLACE_AFTER = /^(镇|乡|街道|村|社区|路|街|一带|附近|地区)/;
    const names = [...internals.entries.keys()];
    const maxLength = Math.max(...names.map((k) => k.length));
    const reference = (text: string) => {
      const hits: Entry[][] = [];
      for (let i = 0; i < text.length; ) {
        let found: Entry[] | undefined;
        let length = 0;
        for (let n = Math.min(maxLength, text.length - i); n >= 2; n--) {
          const candidates = internals.entries.get(text.slice(i, i + n));
          if (candidates) {
            found = candidates;
            length = n;
            break;
          }
        }
        if (!found) {
          i++;
          continue;
        }
        const after = text.slice(i + length, i + length + 4);
        const bare = found.every((e) => e.bare);
        if (!(bare && NOT_A_PLACE_AFTER.test(after))) {
          hits.push(bare && PLACE_AFTER.test(after) ? found.map((e) => ({ ...e, strong: true })) : found);
        }
        i += length;
      }
      return internals.resolve(hits);
    };

    const random = mulberry32(11);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const e2eTexts = readFileSync('bench/data/e2e-texts.jsonl', 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { content: string }).content);
    const afters = ['饭店', '店', '镇', '街道', '村', '路', '附近', '一带', '的', '市', '区', ''];
    // Names, their beginnings and names run together (the longest must win), at any place in real texts.
    const piece = () => {
      const name = pick(names);
      const r = random();
      return r < 0.2 ? name.slice(0, 1 + Math.floor(random() * name.length)) : r < 0.3 ? name + pick(names) : name + pick(afters);
    };
    const texts = e2eTexts.map((text) => {
      let out = text;
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        const at = Math.floor(random() * (out.length + 1));
        out = out.slice(0, at) + piece() + out.slice(at);
      }
      return random() < 0.2 ? out + piece() : out;
    });
    expect(texts.map((t) => gazetteer.find(t))).toEqual(texts.map(reference));
    // Not a vacuous comparison: most of the texts name a place.
    expect(texts.filter((t) => gazetteer.find(t).area).length).toBeGreaterThan(texts.length / 2);
  });
});
