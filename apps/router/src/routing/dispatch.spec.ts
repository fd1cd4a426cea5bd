import type { TopicPrediction } from '../classifier/topic-model.js';
import { Dispatcher, type TopicClassifier } from './dispatch.js';
import { Gazetteer } from './gazetteer.js';
import { loadGazetteerData, loadSeedRules, loadSeedUnits, seedRoutingUnits, seedUnitId } from './seed-data.js';

const DATA = 'apps/router/data';

/** A fixed topic, so these tests pin the catalogue and the territorial rule, not the model. */
class FixedTopic implements TopicClassifier {
  predict(): TopicPrediction {
    return { label: '城乡建设', confidence: 0.9, ranked: [{ label: '城乡建设', p: 0.9 }] };
  }
}

function dispatcher(mutate: (units: ReturnType<typeof seedRoutingUnits>) => void = () => undefined): Dispatcher {
  const seed = loadSeedUnits(DATA);
  const units = seedRoutingUnits(seed);
  mutate(units);
  return new Dispatcher(units, loadSeedRules(DATA, seed), new Gazetteer(loadGazetteerData(DATA)), new FixedTopic());
}

describe(Dispatcher.name, () => {
  const d = dispatcher();

  it('routes a city-run service to the city body with high confidence', () => {
    const r = d.decide({ content: '首套房用公积金贷款，再买一套商品房是否还能使用公积金？' });
    expect(r.suggestions[0].unitName).toBe('市公积金中心');
    expect(r.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it('routes a local matter in a county to the county government (territorial principle)', () => {
    expect(d.decide({ content: '神木市水轮巷路灯坏了两年没人管' }).suggestions[0].unitName).toBe('神木市');
    expect(d.decide({ content: '米脂县已婚子女与父母分户需要什么条件？' }).suggestions[0].unitName).toBe('米脂县');
  });

  it('keeps a zone matter with the city body unless the zone handles it itself', () => {
    expect(d.decide({ content: '咨询往高新区迁户口需要哪些资料？' }).suggestions[0].unitName).toBe('市公安局');
    expect(d.decide({ content: '高新区的学校划片不合理，孩子上学太远' }).suggestions[0].unitName).toBe('高新区');
  });

  it('sends family-planning payments to the street office where the citizen lives', () => {
    expect(d.decide({ content: '两年的独生子女保健费没有到账，我住航宇路街道' }).suggestions[0].unitName).toBe('航宇路街道');
  });

  it('is unsure when two units compete, and offers both', () => {
    const r = d.decide({ content: '省地电榆林电力分公司占用门前公共区域私设停车场' });
    expect(r.suggestions.map((s) => s.unitName).slice(0, 2)).toEqual(['市城管执法局', '地电榆林分公司']);
    expect(r.confidence).toBeLessThan(0.8);
  });

  it('gives no confident answer when nothing matches', () => {
    expect(d.decide({ content: '这个事情拖了很久了，希望领导重视。' }).confidence).toBeLessThan(0.5);
  });

  it('takes a number keyword only as a number of its own, not inside a phone number', () => {
    const emergency = (content: string) => d.decide({ content }).suggestions.some((s) => s.unitName === '市120急救中心');
    expect(emergency('叫了120，救护车四十分钟才到')).toBe(true);
    expect(emergency('这个事情拖了很久了，希望尽快解决。我的电话 13998120442，请回电。')).toBe(false);
  });

  it('uses coordinates when the text names no place', () => {
    const r = d.decide({ content: '这里的路灯坏了一个月', location: { latitude: 37.5, longitude: 110.25 } });
    expect(r.place.area).toBe('绥德县');
    expect(r.suggestions[0].unitName).toBe('绥德县');
  });

  it('sends a merged unit’s work to its successor and none to a retired one', () => {
    const merged = dispatcher((units) => {
      const fund = units.find((u) => u.id === seedUnitId(55))!;
      fund.active = false;
      fund.mergedInto = seedUnitId(29);
    });
    expect(merged.decide({ content: '公积金提取到账太慢了' }).suggestions[0].unitName).toBe('市住建局');
    const retired = dispatcher((units) => void (units.find((u) => u.id === seedUnitId(66))!.active = false));
    expect(retired.decide({ content: '办护照需要什么材料' }).suggestions.map((s) => s.unitName)).not.toContain('市出入境支队');
  });
});
