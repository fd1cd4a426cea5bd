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
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };

  it('gives a lone caller the next number with a reservation of one: at a low rate nothing is reserved ahead', async () => {
    const c = counter();
    const time = clock();
    const sequence = new TrackingSequence(c.reserve, time.now);
    for (let i = 1; i <= 3; i++) {
      expect(await sequence.next('2026-11-28')).toBe(i);
      time.advance(1000);
    }
    expect(c.reservations).toEqual([['2026-11-28', 1], ['2026-11-28', 1], ['2026-11-28', 1]]);
  });

  it('serves the callers who wait during a reservation with one reservation, each a different number', async () => {
    const c = counter();
    const sequence = new TrackingSequence(c.reserve, clock().now);
    const numbers = await Promise.all(Array.from({ length: 50 }, () => sequence.next('2026-11-28')));
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // The first caller's reservation runs alone; the 49 who came meanwhile share the next one.
    expect(c.reservations).toEqual([['2026-11-28', 1], ['2026-11-28', 49]]);
  });

  it('under a steady rate reserves as many ahead as went out in the last 200 ms, and hands those out without a round trip', async () => {
    const c = counter();
    const time = clock();
    const sequence = new TrackingSequence(c.reserve, time.now);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      seen.push(await sequence.next('2026-11-28'));
      time.advance(20);
    }
    // 200 ms went by: the next reservation takes this caller's number and 10 more.
    const before = c.reservations.length;
    for (let i = 0; i < 11; i++) {
      seen.push(await sequence.next('2026-11-28'));
      time.advance(5);
    }
    expect(c.reservations.slice(before)).toEqual([['2026-11-28', 11]]);
    expect(seen).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('counts each day on its own: numbers kept for a day that ended are never used', async () => {
    const c = counter();
    const time = clock();
    const sequence = new TrackingSequence(c.reserve, time.now);
    for (let i = 0; i < 10; i++) {
      await sequence.next('2026-11-28');
      time.advance(20);
    }
    expect(await sequence.next('2026-11-28')).toBe(11);
    expect(await sequence.next('2026-11-29')).toBe(1);
    expect(await sequence.next('2026-11-29')).toBe(2);
  });

  it('fails the callers of a failed reservation and serves the next ones', async () => {
    let fail = true;
    const sequence = new TrackingSequence(async (_day, count) => {
      if (fail) throw new Error('database down');
      return count;
    }, clock().now);
    await expect(Promise.all([sequence.next('2026-11-28'), sequence.next('2026-11-28')])).rejects.toThrow('database down');
    fail = false;
    expect(await sequence.next('2026-11-28')).toBe(1);
  });
});
