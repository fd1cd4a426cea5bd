import { formatTrackingNo, shanghaiDay } from './tracking-number.js';

describe('tracking numbers', () => {
  it('counts days in Asia/Shanghai: 16:00 UTC is already the next day there', () => {
    expect(shanghaiDay(new Date('2026-11-27T15:59:59Z'))).toBe('2026-11-27');
    expect(shanghaiDay(new Date('2026-11-27T16:00:00Z'))).toBe('2026-11-28');
    expect(shanghaiDay(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
  });

  it('formats the prefix, the day and a six-digit sequence', () => {
    expect(formatTrackingNo('YL', '2026-11-27', 123)).toBe('YL20261127-000123');
    expect(formatTrackingNo('YL', '2026-11-27', 1234567)).toBe('YL20261127-1234567');
  });
});
