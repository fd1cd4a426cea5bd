import type { OutboxWriter } from '@app/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import type { CaseRepository } from '../cases/case.repository.js';
import type { CaseTransitions } from '../cases/case-transitions.js';
import type { RouterConfig } from '../config.js';
import type { DeadlineCalendar } from '../routing/deadline-calendar.js';
import type { ClockRepository } from './clock.repository.js';
import { FeedbackService } from './feedback.service.js';
import type { LifecycleCase, LifecycleRepository } from './lifecycle.repository.js';

type Policy = 'always' | 'desk';

function setup(status: string, policy: Policy) {
  const row: LifecycleCase = {
    inquiryId: 'C1', trackingNo: null, citizenChannel: 'app', citizenRef: 'u', status, unitId: 'U1', unitName: '市住建局',
    coUnitIds: [], assignedAt: new Date(), acceptedAt: new Date(), repliedAt: new Date(), extDays: null, statusBeforeExt: null,
  };
  const events: string[] = [];
  const audit: string[] = [];
  const clocksStarted: string[] = [];
  const repository: Pick<LifecycleRepository, 'lock' | 'update'> = {
    lock: async () => row,
    update: async (_m, _id, next) => void (row.status = next),
  };
  const cases: Pick<CaseRepository, 'audit'> = { audit: async (_m, _id, action) => void audit.push(action) };
  const clocks: Pick<ClockRepository, 'cancel'> = { cancel: async () => undefined };
  const transitions: Pick<CaseTransitions, 'startClock'> = { startClock: async (_m, _id, clock) => void clocksStarted.push(clock) };
  const outbox = { append: async (_m: unknown, _c: unknown, type: string) => void events.push(type) } as unknown as OutboxWriter;
  const calendar: Pick<DeadlineCalendar, 'addWorkingDays'> = { addWorkingDays: (from, n) => new Date(from.getTime() + n * 86_400_000) };
  const config = { env: { ROUTER_REOPEN_POLICY: policy, ROUTER_AUTO_CLOSE_DAYS: 7 } } as unknown as RouterConfig;
  const manager = { query: async () => [] } as unknown as EntityManager;
  const service = new FeedbackService(
    repository as LifecycleRepository,
    cases as CaseRepository,
    clocks as ClockRepository,
    transitions as CaseTransitions,
    outbox,
    calendar as DeadlineCalendar,
    config,
    { warn: () => undefined } as unknown as Logger,
  );
  return { service, manager, row, events, audit, clocksStarted };
}

describe(FeedbackService.name, () => {
  it('closes a replied case when the citizen is satisfied', async () => {
    const t = setup('replied', 'always');
    await t.service.rate(t.manager, 'C1', '基本满意', undefined);
    expect(t.events).toEqual(['FeedbackRecorded', 'Closed']);
    expect(t.row.status).toBe('closed');
  });

  it('reopens at once with a new reply clock under policy always', async () => {
    const t = setup('replied', 'always');
    await t.service.rate(t.manager, 'C1', '不满意', '没修好');
    expect(t.events).toEqual(['FeedbackRecorded', 'Reopened']);
    expect(t.row.status).toBe('reopened');
    expect(t.clocksStarted).toEqual(['reply']);
  });

  it('leaves an unhappy case to the desk under policy desk', async () => {
    const t = setup('replied', 'desk');
    await t.service.rate(t.manager, 'C1', '不满意', undefined);
    expect(t.events).toEqual(['FeedbackRecorded']);
    expect(t.row.status).toBe('rated');
  });

  it('ignores a rating of a case that is not waiting for one, keeping it in the audit', async () => {
    const t = setup('accepted', 'always');
    await t.service.rate(t.manager, 'C1', '满意', undefined);
    expect(t.events).toEqual([]);
    expect(t.audit).toEqual(['rating_ignored']);
  });

  it('auto-closes only replied cases, as 未评价', async () => {
    const replied = setup('replied', 'always');
    expect(await replied.service.autoClose(replied.manager, 'C1')).toBe(true);
    expect(replied.events).toEqual(['Closed']);
    const rated = setup('rated', 'desk');
    expect(await rated.service.autoClose(rated.manager, 'C1')).toBe(false);
  });
});
