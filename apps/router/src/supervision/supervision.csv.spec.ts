import { statsCsv } from './supervision.csv.js';
import type { Stats } from './supervision.service.js';

const stats = (over: Partial<Stats>): Stats => ({
  unitId: 'U1', unitName: '市住建局', received: 10, acceptedOnTime: 9, replied: 8, repliedOnTime: 7, avgWorkingHoursToReply: 30.5,
  rated: 4, satisfied: 3, reopened: 1, brushOffs: 2, replyRate: 0.8, satisfactionRate: null, reopenRate: 0.125, ranked: false, ...over,
});

describe(statsCsv.name, () => {
  it('writes a BOM, Chinese headers, the city first and empty cells for missing rates', () => {
    const csv = statsCsv(stats({ unitId: null, unitName: '全市' }), [stats({})]);
    expect(csv.startsWith('\uFEFF单位,受理件数')).toBe(true);
    const [, city, unit] = csv.trim().split('\r\n');
    expect(city).toBe('全市,10,9,8,0.8,7,30.5,4,3,,1,0.125,2');
    expect(unit!.startsWith('市住建局,')).toBe(true);
  });

  it('quotes commas and defuses spreadsheet formulas in names', () => {
    const csv = statsCsv(stats({ unitName: '全市' }), [stats({ unitName: '=HYPERLINK("x")' }), stats({ unitName: 'A,B' })]);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain('"A,B"');
  });
});
