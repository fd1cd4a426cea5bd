import { checkAttributes } from './open311.attributes.js';
import { Open311Catalogue } from './open311.catalogue.js';

describe(checkAttributes.name, () => {
  const catalogue = new Open311Catalogue();
  const pollution = catalogue.find('0402')!;

  it('accepts defined list keys, turns them into readable lines and ignores attributes of other servers', () => {
    const problems: string[] = [];
    const checked = checkAttributes(pollution, { pollution_kind: ['noise', 'air'], subcategory: '1', WHISPAWN: '123456' }, problems);
    expect(problems).toEqual([]);
    expect(checked.attributes).toEqual({ subcategory: '1', pollution_kind: ['noise', 'air'] });
    expect(checked.lines).toEqual([expect.stringContaining('：'), '污染类型（可多选）：噪声、废气、烟尘、异味']);
  });

  it('names each problem: a missing required answer, an unknown key, two values for a single choice', () => {
    const problems: string[] = [];
    checkAttributes(pollution, { subcategory: ['1', '2'] }, problems);
    expect(problems).toHaveLength(2);
    expect(problems.join(' ')).toMatch(/subcategory[\s\S]*pollution_kind/);
  });

  it('checks numbers and datetimes', () => {
    const taxi = catalogue.list().find((s) => s.service_name === '出租车管理')!;
    const safety = catalogue.find('0101')!;
    const problems: string[] = [];
    checkAttributes(taxi, { vehicle_count: 'three' }, problems);
    checkAttributes(safety, { occurred_at: 'yesterday' }, problems);
    expect(problems).toHaveLength(2);
    expect(checkAttributes(safety, { occurred_at: '2026-11-27T08:30:00+08:00' }, []).attributes).toEqual({ occurred_at: '2026-11-27T08:30:00+08:00' });
  });
});
