import { databaseUnavailable, untilDatabaseReachable } from './database-errors.js';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' });

describe('untilDatabaseReachable', () => {
  it('retries while the database is unreachable, then returns what the attempt gives', async () => {
    let calls = 0;
    const waits: number[] = [];
    const value = await untilDatabaseReachable(
      async () => {
        if (++calls < 3) throw refused;
        return 'up';
      },
      10_000,
      (_e, delay) => waits.push(delay),
    );
    expect(value).toBe('up');
    expect(waits).toEqual([250, 500]);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const wrong = Object.assign(new Error('database "nope" does not exist'), { code: '3D000' });
    await expect(untilDatabaseReachable(async () => { calls++; throw wrong; }, 10_000, () => undefined)).rejects.toBe(wrong);
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the wait is over; 0 does not wait at all', async () => {
    let calls = 0;
    await expect(untilDatabaseReachable(async () => { calls++; throw refused; }, 0, () => undefined)).rejects.toBe(refused);
    expect(calls).toBe(1);
    const started = Date.now();
    await expect(untilDatabaseReachable(async () => { throw refused; }, 600, () => undefined)).rejects.toBe(refused);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts a server starting up or shutting down, and a pool timeout, as unreachable', () => {
    expect(databaseUnavailable({ code: '57P03' })).toBe(true);
    expect(databaseUnavailable({ driverError: { code: '57P01' } })).toBe(true);
    expect(databaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(databaseUnavailable({ code: '23505' })).toBe(false);
  });
});
