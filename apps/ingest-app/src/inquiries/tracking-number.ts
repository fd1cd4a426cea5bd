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

/**
 * Hands out each day's sequence numbers, reserving them for every caller waiting at the time in one go (a group
 * reservation, like a group commit): one reservation runs at a time, so under load one round trip serves many
 * submissions, while a lone submission still takes one. Nothing is reserved for nobody, so a restart leaves no gap.
 * `reserve(day, count)` adds `count` to the day's counter and answers the last number it reserved.
 */
export class TrackingSequence {
  private waiting: Waiting[] = [];
  private draining = false;

  constructor(private readonly reserve: (day: string, count: number) => Promise<number>) {}

  next(day: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ day, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        for (const day of new Set(batch.map((w) => w.day))) {
          const callers = batch.filter((w) => w.day === day);
          try {
            const last = await this.reserve(day, callers.length);
            callers.forEach((c, i) => c.resolve(last - callers.length + 1 + i));
          } catch (error) {
            for (const c of callers) c.reject(error);
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
