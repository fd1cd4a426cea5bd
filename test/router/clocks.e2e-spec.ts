import pg from 'pg';
import { ClockScanner } from '../../apps/router/src/lifecycle/clock.scanner.js';
import { waitFor } from '../support/helpers.js';
import { CaseDriver } from './lifecycle-support.js';
import { TEST_DATABASE_URL } from '../support/test-env.js';
import { startRouter, type RouterHarness } from './router-support.js';

/** Clocks are data: deadlines that pass while the router is down are raised after a restart, once each. */
describe('router: persisted clocks across a restart', () => {
  const env = { ROUTER_CLOCK_SCAN_MS: '200', ROUTER_REOPEN_POLICY: 'desk' };
  let h: RouterHarness | undefined;
  afterAll(async () => h?.close());

  const count = (harness: RouterHarness, id: string, type: string, clock: string) =>
    harness.eventsOf(id).filter((e) => e.type === type && (e.payload as { clock?: string }).clock === clock).length;

  it('raises SlaWarning, SlaBreached and the auto-close missed while down, and nothing twice after another restart', async () => {
    h = await startRouter(env);
    const first = new CaseDriver(h);
    const unit = await first.unitId('市住建局');
    const warnMe = await first.assigned(unit);
    const breachMe = await first.assigned(unit);
    await first.http.post(`/agency/cases/${breachMe}/accept`).set('Authorization', first.agent(unit)).expect(200);
    const closeMe = await first.replied(unit);
    const [acceptRow] = await first.db.query(`SELECT warn_at, due_at FROM router.deadlines WHERE inquiry_id = $1 AND clock = 'accept'`, [warnMe]);
    expect(new Date(acceptRow.warn_at).getTime()).toBeLessThan(new Date(acceptRow.due_at).getTime());
    await h.close();
    h = undefined;

    // While the router is down, time passes: one warning and one breach fall due, one reply goes unrated.
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      await db.query(`UPDATE router.deadlines SET warn_at = now() - interval '1 minute' WHERE inquiry_id = $1 AND clock = 'accept'`, [warnMe]);
      await db.query(
        `UPDATE router.deadlines SET due_at = now() - interval '1 minute', warn_at = now() - interval '1 day' WHERE inquiry_id = $1 AND clock = 'reply'`,
        [breachMe],
      );
      await db.query(`UPDATE router.deadlines SET due_at = now() - interval '1 minute' WHERE inquiry_id = $1 AND clock = 'close'`, [closeMe]);
    } finally {
      await db.end();
    }

    h = await startRouter(env);
    const second = h;
    // Two scans racing (as two instances would): SKIP LOCKED and the marks keep it once.
    const scanner = second.app.get(ClockScanner);
    await Promise.all([scanner.scan(), scanner.scan()]);
    await waitFor(() => count(second, warnMe, 'SlaWarning', 'accept') === 1, 'the accept warning');
    await waitFor(() => count(second, breachMe, 'SlaBreached', 'reply') === 1, 'the reply breach');
    expect((await second.waitForEvent(closeMe, 'Closed')).payload).toMatchObject({ outcome: '未评价' });
    await second.close();

    h = await startRouter(env);
    const third = h;
    await new Promise((r) => setTimeout(r, 1500)); // several scan periods
    await third.app.get(ClockScanner).scan();
    await third.waitForEvent(closeMe, 'Closed'); // the reader has caught up with the topic
    await new Promise((r) => setTimeout(r, 1000));
    expect(count(third, warnMe, 'SlaWarning', 'accept')).toBe(1);
    expect(count(third, breachMe, 'SlaBreached', 'reply')).toBe(1);
    expect(count(third, breachMe, 'SlaWarning', 'reply')).toBe(0); // already past due: a breach, not a late warning
    expect(count(third, warnMe, 'SlaBreached', 'accept')).toBe(0);
    expect(third.eventsOf(closeMe).filter((e) => e.type === 'Closed')).toHaveLength(1);
  }, 120_000);

  it('an extension moves the reply clock: a later deadline, its warning before it, nothing breached', async () => {
    const d = new CaseDriver(h!);
    const unit = await d.unitId('市住建局');
    const id = await d.assigned(unit);
    await d.http.post(`/agency/cases/${id}/accept`).set('Authorization', d.agent(unit)).expect(200);
    await d.http.post(`/agency/cases/${id}/extension`).set('Authorization', d.agent(unit)).send({ workingDays: 2, reason: '需协调' }).expect(200);
    await d.http.post(`/desk/cases/${id}/extension-decision`).set('Authorization', d.desk()).send({ grant: true, reason: '同意' }).expect(200);
    const [row] = await d.db.query(`SELECT due_at, warn_at, breached_at FROM router.deadlines WHERE inquiry_id = $1 AND clock = 'reply'`, [id]);
    expect(row.breached_at).toBeNull();
    expect(new Date(row.warn_at).getTime()).toBeLessThan(new Date(row.due_at).getTime());
  });

  it('policy desk: 不满意 waits for the desk, which closes it as 不满意 or reopens it', async () => {
    const d = new CaseDriver(h!);
    const unit = await d.unitId('市住建局');
    const keep = await d.replied(unit);
    await d.rate(keep, '不满意', '没解决');
    await waitFor(async () => (await d.status(keep)) === 'rated', 'rated, waiting for the desk');
    expect(h!.eventsOf(keep).map((e) => e.type)).not.toContain('Reopened');
    await d.http.post(`/desk/cases/${keep}/reopen-decision`).set('Authorization', d.desk()).send({ reopen: false, reason: '已按政策答复' }).expect(204);
    expect((await h!.waitForEvent(keep, 'Closed')).payload).toMatchObject({ outcome: '不满意' });

    const redo = await d.replied(unit);
    await d.rate(redo, '不满意');
    await waitFor(async () => (await d.status(redo)) === 'rated', 'rated');
    await d.http.post(`/desk/cases/${redo}/reopen-decision`).set('Authorization', d.desk()).send({ reopen: true, reason: '确未解决' }).expect(204);
    await h!.waitForEvent(redo, 'Reopened');
    await d.http.post(`/desk/cases/${redo}/reopen-decision`).set('Authorization', d.desk()).send({ reopen: true, reason: '再来' }).expect(409);
  });
});
