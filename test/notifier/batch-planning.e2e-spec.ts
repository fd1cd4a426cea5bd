import { newEnvelope, newId, TOPICS, type EventOf, type PayloadOf, type UnitContacts } from '@app/common';
import { assignmentBatch } from '../../apps/notifier/src/planning/assignment-batch.js';
import { NotificationService } from '../../apps/notifier/src/planning/notification.service.js';
import { NotifierHarness, received } from './support/notifier-harness.js';

type CaseEvent = EventOf<typeof TOPICS.caseEvents>;
type Assigned = PayloadOf<typeof TOPICS.caseEvents, 'Assigned'>;

const event = <T extends keyof (typeof TOPICS.caseEvents)['events'] & string>(type: T, payload: PayloadOf<typeof TOPICS.caseEvents, T>): CaseEvent =>
  newEnvelope({ type, payload, source: 'router' }) as unknown as CaseEvent;

/**
 * One run of the same story with its own ids: six cases over three units (one with a webhook, one co-handling,
 * one case reassigned from a unit it had before the batch), and `names` to map its ids back to the story's.
 */
function story(run: string) {
  const names = new Map<string, string>();
  const name = <T extends string>(id: T, as: string): T => (names.set(id, as), id);
  const unit = (n: number) => name(`unit-${run}-${n}-${newId()}`, `U${n}`);
  const [u1, u2, u3] = [unit(1), unit(2), unit(3)];
  const contacts: Record<string, UnitContacts> = {
    [u1]: { emails: ['shuiwu@sm.gov.cn'], prefer: 'email' },
    [u2]: { emails: ['zhujian@yl.gov.cn', 'ban@yl.gov.cn'], webhook: { url: 'https://hooks.example.gov.cn/u2', secret: 'u2-webhook-secret-0123456789' }, prefer: 'both' },
    [u3]: { emails: ['jiaotong@yl.gov.cn'], prefer: 'email' },
  };
  const cases = ['wechat', 'weibo', 'app', 'app', 'wechat', 'app'].map((channel, i) => {
    const r = received(channel as 'wechat' | 'weibo' | 'app', { title: `第${i + 1}件`, trackingNo: `YL20261128-${run}${i + 1}` });
    name(r.inquiryId, `case-${i + 1}`);
    name(r.citizen!.externalUserId, `citizen-${i + 1}`);
    return r;
  });
  const assigned = (i: number, unitId: string, co: string[] = []): Assigned => ({
    inquiryId: cases[i].inquiryId,
    at: new Date().toISOString(),
    actor: 'system',
    unitId,
    unitName: `单位${names.get(unitId)}`,
    coUnitIds: co,
    acceptDeadline: '2026-11-30T15:59:59.999Z',
    replyDeadline: '2026-12-04T15:59:59.999Z',
    unitContacts: contacts[unitId],
    ...(co.length ? { coUnits: co.map((id) => ({ unitId: id, unitName: `单位${names.get(id)}`, unitContacts: contacts[id] })) } : {}),
  });
  // Before the batch: case 6 received and assigned to U3.
  const before = [event('Received', cases[5]), event('Assigned', assigned(5, u3))];
  const batch = [
    event('Received', cases[0]),
    event('Assigned', assigned(0, u1)),
    event('Received', cases[1]),
    event('Received', cases[2]),
    event('Assigned', assigned(1, u2, [u1])),
    event('Assigned', assigned(2, u1)),
    event('Received', cases[3]), // received only
    event('Assigned', assigned(4, u3)), // assigned without a Received
    event('Assigned', assigned(5, u2)), // reassigned from U3
  ];
  return { names, cases, units: [u1, u2, u3], before, batch };
}

describe('notifier: a batch of Received and Assigned events planned together', () => {
  let h: NotifierHarness;
  let service: NotificationService;

  beforeAll(async () => {
    h = await NotifierHarness.start({ DISPATCH_POLL_MS: '600000' });
    service = h.app.get(NotificationService);
  });

  afterAll(async () => {
    await h?.stop();
  });

  /** What the run left: each case's contact row and planned deliveries, each unit's row, in the story's names. */
  async function outcome(run: ReturnType<typeof story>): Promise<unknown> {
    const ids = run.cases.map((c) => c.inquiryId);
    const cases = await h.db.query(
      `SELECT inquiry_id, tracking_no, title, citizen_channel, citizen_ref, unit_id, unit_name, reply_deadline, attachments
         FROM notifier.case_contacts WHERE inquiry_id = ANY($1) ORDER BY title`,
      [ids],
    );
    const deliveries = await h.db.query(
      `SELECT d.inquiry_id, d.channel, d.purpose, d.recipient, d.message, c.title
         FROM notifier.deliveries d JOIN notifier.case_contacts c USING (inquiry_id)
        WHERE d.inquiry_id = ANY($1) ORDER BY c.title, d.channel, d.purpose, d.recipient`,
      [ids],
    );
    const units = await h.db.query(
      `SELECT unit_id, unit_name, emails, webhook_url, prefer, webhook_failures FROM notifier.unit_contacts WHERE unit_id = ANY($1) ORDER BY unit_name`,
      [run.units],
    );
    let text = JSON.stringify({ cases, deliveries, units });
    for (const [id, as] of run.names) text = text.split(id).join(as);
    return JSON.parse(text.replace(/YL20261128-[ab](\d)/g, 'YL20261128-$1'));
  }

  it('plans the same deliveries and leaves the same rows as the events one by one', async () => {
    const together = story('a');
    const oneByOne = story('b');
    expect(assignmentBatch(together.batch)).toBeDefined();

    for (const run of [together, oneByOne]) for (const e of run.before) await service.onCaseEvent(e);
    const planned = await service.onCaseEvents(together.batch);
    let plannedOneByOne = 0;
    for (const e of oneByOne.batch) plannedOneByOne += await service.onCaseEvent(e);

    expect(planned).toBe(plannedOneByOne);
    expect(planned).toBeGreaterThanOrEqual(7);
    const [a, b] = [await outcome(together), await outcome(oneByOne)];
    expect(a).toEqual(b);
    // The reassignment was noticed as one in both.
    expect(JSON.stringify(a)).toContain('改派');

    // Redelivered, the batch plans nothing more.
    expect(await service.onCaseEvents(together.batch)).toBe(0);
  });

  it("records a batch of citizens' activity as one by one: the latest report of each citizen counts", async () => {
    type Interaction = EventOf<typeof TOPICS.inquiryInteraction>;
    const activity = (run: string) => {
      const [a, b] = [`oWxA${run}${newId()}`, `oWxB${run}${newId()}`];
      const at = (s: number) => `2026-11-28T08:00:0${s}.000Z`;
      const base = (externalUserId: string, s: number) => ({ citizen: { channel: 'wechat' as const, externalUserId }, at: at(s) });
      const interaction = (type: string, payload: object): Interaction =>
        newEnvelope({ type, payload, source: 'ingest-wechat' }) as unknown as Interaction;
      return {
        citizens: [a, b],
        events: [
          interaction('ChannelActivity', { ...base(a, 2), kind: 'click' }),
          interaction('ChannelActivity', { ...base(a, 1), kind: 'unfollow' }), // older: never moves the window back
          interaction('InformationAdded', { ...base(b, 3), inquiryId: newId(), text: '补充：路口在东侧' }),
          interaction('ChannelActivity', { ...base(b, 3), kind: 'follow' }), // same time, later: counts
          interaction('ChannelActivity', { ...base(a, 2) }),
        ],
      };
    };
    const windows = async (citizens: string[]) =>
      (await h.db.query(
        `SELECT last_activity_at, kind, sent_in_window FROM notifier.citizen_windows WHERE external_user_id = ANY($1) ORDER BY external_user_id`,
        [citizens],
      )) as unknown[];
    const [together, oneByOne] = [activity('t'), activity('o')];
    await service.onInteractions(together.events);
    for (const e of oneByOne.events) await service.onInteraction(e);
    expect(await windows(together.citizens)).toEqual(await windows(oneByOne.citizens));
    expect(await windows(together.citizens)).toEqual([
      { last_activity_at: new Date('2026-11-28T08:00:02.000Z'), kind: 'message', sent_in_window: 0 },
      { last_activity_at: new Date('2026-11-28T08:00:03.000Z'), kind: 'follow', sent_in_window: 0 },
    ]);
  });
});
