import { Inject, Injectable } from '@nestjs/common';
import { InjectPlatformConfig } from '@app/common';
import { DataSource } from 'typeorm';
import type { RouterConfig } from '../config.js';
import { DEADLINE_CALENDAR, type DeadlineCalendar } from '../routing/deadline-calendar.js';
import { periodRange, type Period } from './period.js';
import { SupervisionRepository, type ClockRow, type RawStats } from './supervision.repository.js';

export interface Stats extends RawStats {
  replyRate: number | null;
  satisfactionRate: number | null;
  reopenRate: number | null;
  /** Fewer ratings than the minimum: no satisfaction rate and no place in a ranking. */
  ranked: boolean;
}

/** Satisfaction rank among units with enough ratings (1 = best); the others get none. */
function withRanks(units: Stats[]): (Stats & { rank: number | null })[] {
  const order = units.filter((u) => u.ranked).sort((a, b) => (b.satisfactionRate ?? 0) - (a.satisfactionRate ?? 0));
  return units.map((u) => ({ ...u, rank: u.ranked ? order.indexOf(u) + 1 : null }));
}

const rate = (n: number, of: number): number | null => (of > 0 ? Math.round((n / of) * 1000) / 1000 : null);

@Injectable()
export class SupervisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: SupervisionRepository,
    @Inject(DEADLINE_CALENDAR) private readonly calendar: DeadlineCalendar,
    @InjectPlatformConfig() private readonly config: RouterConfig,
  ) {}

  async overdue(now = new Date()) {
    return (await this.repository.openClocks(this.dataSource.manager, null, now)).map((r) => this.clockRow(r, now));
  }

  async dueSoon(workingDays: number, now = new Date()) {
    const by = this.calendar.addWorkingDays(now, workingDays);
    return (await this.repository.openClocks(this.dataSource.manager, now, by)).map((r) => this.clockRow(r, now));
  }

  async stats(period: Period, date: string, minRatings = this.config.env.ROUTER_MIN_RATINGS) {
    const { from, to } = periodRange(period, date);
    const manager = this.dataSource.manager;
    const [units, [city], current] = await Promise.all([
      this.repository.stats(manager, from, to, true),
      this.repository.stats(manager, from, to, false),
      this.repository.current(manager),
    ]);
    const empty: RawStats = { unitId: null, unitName: '全市', received: 0, acceptedOnTime: 0, replied: 0, repliedOnTime: 0, avgWorkingHoursToReply: null, rated: 0, satisfied: 0, reopened: 0, brushOffs: 0 };
    return {
      period,
      from: from.toISOString(),
      to: to.toISOString(),
      minRatings,
      current,
      city: this.derive({ ...(city ?? empty), unitName: '全市' }, minRatings),
      units: withRanks(units.map((u) => this.derive(u, minRatings))),
    };
  }

  private derive(s: RawStats, minRatings: number): Stats {
    const ranked = s.rated >= minRatings;
    return {
      ...s,
      replyRate: rate(s.replied, s.received),
      satisfactionRate: ranked ? rate(s.satisfied, s.rated) : null,
      reopenRate: rate(s.reopened, s.replied),
      ranked,
    };
  }

  private clockRow(r: ClockRow, now: Date) {
    const deadline = new Date(r.deadline);
    return { ...r, deadline: deadline.toISOString(), overdueHours: Math.round(((now.getTime() - deadline.getTime()) / 3600_000) * 10) / 10 };
  }
}
