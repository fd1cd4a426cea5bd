import { readFileSync } from 'node:fs';
import { TOPICS } from '@app/common';
import { DataSource } from 'typeorm';
import { CaseRepository } from '../../apps/router/src/cases/case.repository.js';
import { newInquiry } from '../support/builders.js';
import { waitFor } from '../support/helpers.js';
import { startRouter, type RouterHarness } from './router-support.js';

describe('router: submitted → Received → Classified → Assigned or QueuedForDesk', () => {
  let h: RouterHarness;
  let db: DataSource;

  beforeAll(async () => {
    h = await startRouter();
    db = h.app.get(DataSource);
  });
  afterAll(async () => h?.close());

  it('seeds the 148 reference units and the dispatch catalogue', async () => {
    // Other test files may have added units through the admin API; count the reference ones.
    const reference: { code: number }[] = JSON.parse(readFileSync('apps/router/data/units.json', 'utf8'));
    expect(reference).toHaveLength(148);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM router.units WHERE code = ANY($1::int[])`, [reference.map((u) => u.code)]);
    expect(n).toBe(148);
    const [{ r }] = await db.query(`SELECT count(*)::int AS r FROM router.dispatch_rules`);
    expect(r).toBeGreaterThan(50);
  });

  it('assigns a clear case at once, by auto, with stored unit clocks, and does nothing twice on redelivery', async () => {
    const inquiry = newInquiry({
      title: '公积金贷款咨询',
      content: '我是去年在榆林买的首套房，用住房公积金贷款，现在想再买一套，还能不能用公积金贷款？',
      typeHint: undefined,
    });
    const submitted = await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    await h.producer.publishEnvelopes(TOPICS.inquirySubmitted, [submitted]);

    const assigned = await h.waitForEvent(inquiry.inquiryId, 'Assigned');
    expect(assigned.payload).toMatchObject({ actor: 'auto', unitName: '市公积金中心' });
    if (assigned.type !== 'Assigned') throw new Error('narrowing');
    expect(new Date(assigned.payload.replyDeadline).getTime()).toBeGreaterThan(new Date(assigned.payload.acceptDeadline).getTime());

    await new Promise((r) => setTimeout(r, 1000));
    expect(h.eventsOf(inquiry.inquiryId).map((e) => e.type)).toEqual(['Received', 'Classified', 'Assigned']);
    const classified = h.eventsOf(inquiry.inquiryId)[1];
    expect(classified.payload).toMatchObject({ inquiryType: '咨询' });

    const [row] = await db.query(
      `SELECT status, unit_name, assigned_by, reply_deadline IS NOT NULL AS clocked FROM router.cases WHERE inquiry_id = $1`,
      [inquiry.inquiryId],
    );
    expect(row).toEqual({ status: 'assigned', unit_name: '市公积金中心', assigned_by: 'auto', clocked: true });
    const audit = await db.query(`SELECT action, actor FROM router.case_audit WHERE inquiry_id = $1`, [inquiry.inquiryId]);
    expect(audit).toEqual([{ action: 'assigned', actor: 'auto' }]);
  });

  it('passes a Weibo mention\'s thread on in Received, so the answer can go to its comment thread', async () => {
    const inquiry = newInquiry({
      channel: 'weibo',
      citizen: { channel: 'weibo', externalUserId: '5678901234' },
      publicOrigin: true,
      weiboThread: { statusId: '4987654321098765', commentId: '4987654321098999' },
    });
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    const received = await h.waitForEvent(inquiry.inquiryId, 'Received');
    expect(received.payload).toMatchObject({ weiboThread: { statusId: '4987654321098765', commentId: '4987654321098999' } });
  });

  it('sends a county matter to the county government (territorial principle)', async () => {
    const inquiry = newInquiry({ title: undefined, content: '定边县紫薇花园小区这几天无故停水，也没有任何通知，请问什么时候来水？' });
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    const assigned = await h.waitForEvent(inquiry.inquiryId, 'Assigned');
    expect(assigned.payload).toMatchObject({ unitName: '定边县' });
    const classified = h.eventsOf(inquiry.inquiryId).find((e) => e.type === 'Classified');
    expect(classified?.payload).toMatchObject({ area: '定边县' });
  });

  it('queues an unclear case for the desk with the 2-hour clock and up to three suggestions', async () => {
    const receivedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const inquiry = newInquiry({ title: '反映一个问题', content: '这个事情拖了很久了，希望领导重视一下。', receivedAt });
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    const queued = await h.waitForEvent(inquiry.inquiryId, 'QueuedForDesk');
    if (queued.type !== 'QueuedForDesk') throw new Error('narrowing');
    expect(new Date(queued.payload.deskDeadline).getTime()).toBe(new Date(receivedAt).getTime() + 2 * 3600_000);
    expect(queued.payload.suggestions!.length).toBeLessThanOrEqual(3);
    expect(h.eventsOf(inquiry.inquiryId).map((e) => e.type)).toEqual(['Received', 'Classified', 'QueuedForDesk']);
    const [row] = await db.query(`SELECT status, desk_deadline FROM router.cases WHERE inquiry_id = $1`, [inquiry.inquiryId]);
    expect(row.status).toBe('queued_for_desk');
  });

  it('flags a repeat of an open case at the same place for the desk instead of assigning it', async () => {
    const content = '神木市麟州街道滨河路的路灯已经坏了两个月了，晚上一片漆黑，行人出行很不安全，希望尽快维修。';
    const first = newInquiry({ title: '路灯坏了', content });
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', first);
    await h.waitForEvent(first.inquiryId, 'Assigned');
    const again = newInquiry({ title: '路灯不亮', content: '神木市麟州街道滨河路的路灯坏了两个多月，晚上漆黑一片，行人很不安全，请尽快维修。' });
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', again);
    const queued = await h.waitForEvent(again.inquiryId, 'QueuedForDesk');
    expect(queued.payload).toMatchObject({ duplicateOf: first.inquiryId });
  });

  it('reads the newest open cases of each area as duplicate candidates, leaving out the excluded ones', async () => {
    const area = `probe-area-${Date.now()}`;
    const other = `${area}-b`;
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const rows: [id: string, area: string, status: string, minutesAgo: number][] = [
      [`${area}-1`, area, 'assigned', 10],
      [`${area}-2`, area, 'assigned', 8],
      [`${area}-3`, area, 'closed', 6],
      [`${area}-4`, area, 'queued_for_desk', 4],
      [`${area}-5`, area, 'assigned', 2],
      [`${area}-old`, area, 'assigned', 90],
      [`${other}-1`, other, 'assigned', 5],
    ];
    for (const [id, a, status, minutes] of rows) {
      await db.query(
        `INSERT INTO router.cases (inquiry_id, channel, citizen_channel, citizen_ref, content, anonymous, status, received_at, area)
         VALUES ($1, 'app', 'app', 'probe', '路灯', true, $2, $3, $4)`,
        [id, status, ago(minutes), a],
      );
    }
    const recent = await h.app.get(CaseRepository).recentOpenInAreas(db.manager, [area, other], ago(60), [`${area}-5`, 'not-a-case'], 2);
    // The newest two open ones of each area within the hour, after the excluded newest; closed and old ones never.
    expect(recent).toEqual([
      { inquiryId: `${area}-4`, area },
      { inquiryId: `${area}-2`, area },
      { inquiryId: `${other}-1`, area: other },
    ]);
  });

  it('records nothing twice when the same inquiry arrives as two different messages', async () => {
    const inquiry = newInquiry({ title: '办理护照', content: '请问在榆林办理护照需要准备哪些材料，多久能拿到？' });
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    await h.waitForEvent(inquiry.inquiryId, 'Assigned');
    await waitFor(async () => {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM router.processed_messages WHERE consumer = 'router.intake' AND topic = $1`,
        [TOPICS.inquirySubmitted.name],
      );
      return n > 0;
    }, 'processed messages');
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.eventsOf(inquiry.inquiryId).map((e) => e.type)).toEqual(['Received', 'Classified', 'Assigned']);
  });
});
