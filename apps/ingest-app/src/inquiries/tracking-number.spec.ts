import { formatTrackingNo, shanghaiDay, TrackingSequence } from './tracking-number.js';

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

describe('TrackingSequence', () => {
  /** A counter per day that answers after a tick, as the database would, and records each reservation. */
  const counter = () => {
    const last = new Map<string, number>();
    const reservations: [string, number][] = [];
    const reserve = async (day: string, count: number): Promise<number> => {
      reservations.push([day, count]);
      await new Promise((r) => setTimeout(r, 5));
      last.set(day, (last.get(day) ?? 0) + count);
      return last.get(day)!;
    };
    return { reserve, reservations };
  };

  it('gives a lone caller the next number with one reservation of one', async () => {
    const c = counter();
    const sequence = new TrackingSequence(c.reserve);
    expect(await sequence.next('2026-11-28')).toBe(1);
    expect(await sequence.next('2026-11-28')).toBe(2);
    expect(c.reservations).toEqual([['2026-11-28', 1], ['2026-11-28', 1]]);
  });

  it('serves the callers who wait during a reservation with one reservation, each a different number', async () => {
    const c = counter();
    const sequence = new TrackingSequence(c.reserve);
    const numbers = await Promise.all(Array.from({ length: 50 }, () => sequence.next('2026-11-28')));
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // The first caller's reservation runs alone; the 49 who came meanwhile share the next one.
    expect(c.reservations).toEqual([['2026-11-28', 1], ['2026-11-28', 49]]);
  });

  it('counts each day on its own, around midnight', async () => {
    const c = counter();
    const sequence = new TrackingSequence(c.reserve);
    await sequence.next('2026-11-28');
    const [a, b, d] = await Promise.all([sequence.next('2026-11-28'), sequence.next('2026-11-29'), sequence.next('2026-11-28')]);
    expect([a, b, d]).toEqual([2, 1, 3]);
  });

  it('fails the callers of a failed reservation and serves the next ones', async () => {
    let fail = true;
    const sequence = new TrackingSequence(async (_day, count) => {
      if (fail) throw new Error('database down');
      return count;
    });
    await expect(Promise.all([sequence.next('2026-11-28'), sequence.next('2026-11-28')])).rejects.toThrow('database down');
    fail = false;
    expect(await sequence.next('2026-11-28')).toBe(1);
  });
});
