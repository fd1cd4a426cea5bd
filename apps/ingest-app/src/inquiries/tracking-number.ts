import { civilDateOf, dayNumberOf } from '@app/common/calendar/shanghai-time.js';

/** The calendar day in China (UTC+8, no DST) of an instant, as `YYYY-MM-DD`: tracking numbers count per local day. */
export function shanghaiDay(at: Date): string {
  return civilDateOf(dayNumberOf(at));
}

/** `YL20261127-000123`: prefix, the local day, and that day's sequence number (six digits, more if ever needed). */
export function formatTrackingNo(prefix: string, day: string, sequence: number): string {
  return `${prefix}${day.replaceAll('-', '')}-${String(sequence).padStart(6, '0')}`;
}

interface Waiting {
  day: string;
  resolve: (sequence: number) => void;
  reject: (error: unknown) => void;
}

/** The span over which the recent rate is counted. */
const RATE_WINDOW_MS = 200;
/** Most numbers reserved ahead of the callers waiting. */
const MAX_AHEAD = 50;

/**
 * Hands out each day's sequence numbers from the database's day counter without a round trip per submission. A
 * reservation takes numbers for every caller waiting at the time (like a group commit) plus as many as were handed
 * out over the last 200 ms (at most 50), kept for the next callers: under load a reservation serves many
 * submissions, while a lone submission still takes exactly one number. Numbers still kept when the process stops,
 * or when the day ends, are never used: a restart under load leaves a gap of at most 50 in the day's numbers.
 * `reserve(day, count)` adds `count` to the day's counter and answers the last number it reserved.
 */
export class TrackingSequence {
  private waiting: Waiting[] = [];
  private draining = false;
  private kept?: { day: string; next: number; last: number };
  private window = { start: 0, count: 0, previous: 0 };

  constructor(
    private readonly reserve: (day: string, count: number) => Promise<number>,
    private readonly now: () => number = Date.now,
  ) {}

  next(day: string): Promise<number> {
    const kept = this.take(day);
    if (kept !== undefined) return Promise.resolve(kept);
    return new Promise((resolve, reject) => {
      this.waiting.push({ day, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private take(day: string): number | undefined {
    const kept = this.kept;
    if (!kept || kept.day !== day || kept.next > kept.last) return undefined;
    this.counted(1);
    return kept.next++;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        for (const day of new Set(batch.map((w) => w.day))) {
          const callers: Waiting[] = [];
          for (const w of batch.filter((c) => c.day === day)) {
            const kept = this.take(day);
            if (kept === undefined) callers.push(w);
            else w.resolve(kept);
          }
          if (callers.length > 0) await this.reserveFor(day, callers);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async reserveFor(day: string, callers: Waiting[]): Promise<void> {
    const ahead = Math.min(MAX_AHEAD, this.recentRate());
    const count = callers.length + ahead;
    try {
      const last = await this.reserve(day, count);
      const first = last - count + 1;
      callers.forEach((c, i) => c.resolve(first + i));
      this.counted(callers.length);
      this.kept = { day, next: first + callers.length, last };
    } catch (error) {
      for (const c of callers) c.reject(error);
    }
  }

  /** Numbers handed out in the last full window (0 after a quiet one). */
  private recentRate(): number {
    this.counted(0);
    return this.window.previous;
  }

  private counted(n: number): void {
    const now = this.now();
    const w = this.window;
    if (now - w.start >= RATE_WINDOW_MS) {
      w.previous = now - w.start < 2 * RATE_WINDOW_MS ? w.count : 0;
      w.start = now;
      w.count = 0;
    }
    w.count += n;
  }
}
