import { setTimeout as sleep } from 'node:timers/promises';

/** A token bucket: `ratePerSec` sustained, bursts up to `burst`. Per instance; N instances allow N times the rate. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number = ratePerSec,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token if there is one; otherwise says how many ms until there will be. */
  tryTake(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }

  async take(): Promise<void> {
    for (let wait = this.tryTake(); wait > 0; wait = this.tryTake()) await sleep(wait);
  }
}

export class ChannelRateLimits<K extends string> {
  private readonly buckets: Map<K, TokenBucket>;

  constructor(rates: Record<K, number>) {
    this.buckets = new Map(Object.entries(rates).map(([k, r]) => [k as K, new TokenBucket(r as number)]));
  }

  take(channel: K): Promise<void> {
    return this.buckets.get(channel)?.take() ?? Promise.resolve();
  }
}
