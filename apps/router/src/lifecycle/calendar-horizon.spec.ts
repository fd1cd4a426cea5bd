import { PlatformMetrics } from '@app/common';
import type { Logger } from 'pino';
import type { RouterConfig } from '../config.js';
import { CalendarHorizon, calendarDaysLeft } from './calendar-horizon.js';

describe(calendarDaysLeft.name, () => {
  it('counts whole days to 24:00 Beijing time on 31 December of the last year loaded in a row', () => {
    expect(calendarDaysLeft([2024, 2025, 2026], new Date('2026-11-28T00:00:00Z'))).toBe(33); // 08:00 in Beijing
    expect(calendarDaysLeft([2024, 2025, 2026], new Date('2026-12-31T15:59:59Z'))).toBe(0);
    expect(calendarDaysLeft([2026, 2027], new Date('2026-12-31T00:00:00Z'))).toBe(365);
  });

  it('takes the year in Beijing, and none at all when that year is not loaded or a year is missing in between', () => {
    expect(calendarDaysLeft([2026], new Date('2026-12-31T16:00:00Z'))).toBe(0); // already 2027 in Beijing
    expect(calendarDaysLeft([2025], new Date('2026-03-01T00:00:00Z'))).toBe(0);
    expect(calendarDaysLeft([2026, 2028], new Date('2026-12-01T00:00:00Z'))).toBe(30);
  });
});

describe(CalendarHorizon.name, () => {
  const setup = () => {
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => void warnings.push(fields) } as unknown as Logger;
    const metrics = new PlatformMetrics('router');
    const config = { env: { ROUTER_CALENDAR_WARN_DAYS: 45 } } as RouterConfig;
    return { warnings, metrics, horizon: new CalendarHorizon(metrics, config, logger) };
  };

  it('sets the gauge and warns once a day within the warning days of the end', async () => {
    const { warnings, metrics, horizon } = setup();
    expect(horizon.check([2025, 2026], new Date('2026-10-01T00:00:00Z'))).toBe(91);
    expect(warnings).toEqual([]);
    horizon.check([2025, 2026], new Date('2026-11-28T00:00:00Z'));
    horizon.check([2025, 2026], new Date('2026-11-28T12:00:00Z'));
    expect(warnings).toEqual([{ daysLeft: 33, coveredYears: [2025, 2026] }]);
    horizon.check([2025, 2026], new Date('2026-11-29T00:00:00Z'));
    expect(warnings).toHaveLength(2);
    expect(await metrics.registry.metrics()).toMatch(/^wz_router_calendar_days_left(\{[^}]*\})? 32$/m);
  });

  it('stops warning once next year is loaded', () => {
    const { warnings, horizon } = setup();
    expect(horizon.check([2025, 2026, 2027], new Date('2026-11-28T00:00:00Z'))).toBe(398);
    expect(warnings).toEqual([]);
  });
});
