import { TOPICS } from '@app/common';
import { DataSource } from 'typeorm';
import { newInquiry } from '../support/builders.js';
import { testKafka, waitFor } from '../support/helpers.js';
import { startRouter, type RouterHarness } from './router-support.js';

const GROUP = 'router.intake';
const DECISIONS = new Set(['Assigned', 'QueuedForDesk']);

/** Members of the intake group and how many partitions of inquiry.submitted.v1 each holds. */
async function intakeMembers(): Promise<number[]> {
  const admin = testKafka('two-instances-admin').admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([GROUP]);
    if (groups[0]?.state !== 'Stable') return [];
    return groups[0].members.map((m) => {
      // ConsumerProtocol assignment: version (2), topic count (4), then per topic its name and partition list.
      const a = m.memberAssignment;
      if (a.length < 6) return 0;
      let at = 6;
      let partitions = 0;
      for (let t = a.readInt32BE(2); t > 0; t--) {
        at += 2 + a.readInt16BE(at);
        const n = a.readInt32BE(at);
        partitions += n;
        at += 4 + 4 * n;
      }
      return partitions;
    });
  } finally {
    await admin.disconnect();
  }
}

describe('router: two instances in one consumer group, each with its own outbox relay', () => {
  let first: RouterHarness;
  let second: RouterHarness;
  let db: DataSource;

  beforeAll(async () => {
    first = await startRouter();
    second = await startRouter();
    db = second.app.get(DataSource);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close().catch(() => undefined);
  });

  it('decides every inquiry exactly once while the group shares and then re-balances the partitions', async () => {
    const members = await waitFor(async () => {
      const m = await intakeMembers();
      return m.length === 2 && m.every((p) => p > 0) && m;
    }, 'both routers holding partitions of the intake group', 60_000);
    expect(members.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);

    const inquiries = Array.from({ length: 120 }, (_, i) =>
      newInquiry({ content: `榆阳区第${i + 1}小区门口的路灯已经坏了两周，晚上出行很不安全，希望尽快维修。` }),
    );
    const send = async (batch: typeof inquiries) => {
      const envelopes = await Promise.all(batch.map((q) => first.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', q)));
      await first.producer.publishEnvelopes(TOPICS.inquirySubmitted, envelopes);
    };
    await send(inquiries.slice(0, 60));
    // One instance leaves (a rolling deploy) while the rest arrive: its partitions move to the other.
    const leaving = first.close();
    await send(inquiries.slice(60));
    await leaving;

    const ids = new Set(inquiries.map((q) => q.inquiryId));
    const ours = () => second.caseEvents.values<{ id: string; type: string; payload: { inquiryId: string } }>().filter((e) => ids.has(e.payload.inquiryId));
    await waitFor(
      () => new Set(ours().filter((e) => DECISIONS.has(e.type)).map((e) => e.payload.inquiryId)).size === ids.size,
      'a decision for each of the 120 inquiries',
      90_000,
    );
    await new Promise((r) => setTimeout(r, 2000)); // anything published twice would arrive by now

    const events = ours();
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length); // no outbox row published by both relays
    for (const id of ids) {
      const types = events.filter((e) => e.payload.inquiryId === id).map((e) => e.type);
      expect({ id, received: types.filter((t) => t === 'Received').length, decided: types.filter((t) => DECISIONS.has(t)).length }).toEqual({
        id,
        received: 1,
        decided: 1,
      });
    }
    const [{ cases, audits }] = await db.query(
      `SELECT (SELECT count(*)::int FROM router.cases WHERE inquiry_id = ANY($1::text[])) AS cases,
              (SELECT count(*)::int FROM router.case_audit WHERE inquiry_id = ANY($1::text[]) AND action IN ('assigned', 'queued_for_desk')) AS audits`,
      [[...ids]],
    );
    expect(cases).toBe(120);
    expect(audits).toBeLessThanOrEqual(120);
    await waitFor(async () => (await intakeMembers()).length === 1, 'the intake group down to the remaining router');
  }, 180_000);
});
