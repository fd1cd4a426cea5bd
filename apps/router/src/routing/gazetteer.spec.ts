import { Gazetteer } from './gazetteer.js';
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
});
