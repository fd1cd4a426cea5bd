import { PollingLoop } from './polling-loop.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(PollingLoop.name, () => {
  it('runs again at once while there is more, then waits for the interval', async () => {
    let rounds = 0;
    const loop = new PollingLoop(async () => ++rounds < 3, 10_000, () => undefined);
    loop.start();
    await tick(50);
    expect(rounds).toBe(3);
    await loop.stop();
  });

  it('stop wakes the wait and resolves only after the round in flight finished', async () => {
    let finished = false;
    let started = 0;
    const loop = new PollingLoop(
      async () => {
        started++;
        await tick(100);
        finished = true;
        return false;
      },
      60_000,
      () => undefined,
    );
    loop.start();
    await tick(10);
    await loop.stop();
    expect(finished).toBe(true);
    expect(started).toBe(1);
    expect(loop.active).toBe(false);
  });

  it('reports a failing round and keeps going', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const loop = new PollingLoop(
      async () => {
        if (++rounds === 1) throw new Error('boom');
        return false;
      },
      5,
      (e) => errors.push(e),
    );
    loop.start();
    await tick(60);
    await loop.stop();
    expect(errors).toHaveLength(1);
    expect(rounds).toBeGreaterThan(1);
  });
});
