import { periodRange } from './period.js';

describe(periodRange.name, () => {
  it('starts a week on Monday at Beijing midnight', () => {
    const { from, to } = periodRange('week', '2026-11-27'); // a Friday
    expect(from.toISOString()).toBe('2026-11-22T16:00:00.000Z'); // Mon 23 Nov 00:00 CST
    expect(to.toISOString()).toBe('2026-11-29T16:00:00.000Z');
  });

  it('bounds months and years in Beijing time, across the year end', () => {
    expect(periodRange('month', '2026-12-15')).toEqual({ from: new Date('2026-11-30T16:00:00Z'), to: new Date('2026-12-31T16:00:00Z') });
    expect(periodRange('year', '2026-06-01').from.toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });
});
