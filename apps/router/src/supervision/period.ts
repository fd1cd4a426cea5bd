import { z } from 'zod';

export const PERIODS = ['week', 'month', 'year'] as const;
export type Period = (typeof PERIODS)[number];

const CST_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** The week (Monday first), month or year containing `date`, as instants bounded at Beijing midnight. */
export function periodRange(period: Period, date: string): { from: Date; to: Date } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm - 1, dd) - CST_MS);
  switch (period) {
    case 'year':
      return { from: at(y, 1, 1), to: at(y + 1, 1, 1) };
    case 'month':
      return { from: at(y, m, 1), to: at(y, m + 1, 1) };
    case 'week': {
      const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
      const from = at(y, m, d - weekday);
      return { from, to: new Date(from.getTime() + 7 * DAY_MS) };
    }
    default: {
      const unknown: never = period;
      throw new Error(`unknown period ${String(unknown)}`);
    }
  }
}

export const statsQuerySchema = z.object({
  period: z.enum(PERIODS).default('month'),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .default(() => new Date(Date.now() + CST_MS).toISOString().slice(0, 10)),
  minRatings: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type StatsQuery = z.infer<typeof statsQuerySchema>;
