import { newEnvelope, type EventOf, type TOPICS, type UnitContacts } from '@app/common';
import { assignmentBatch, coUnitIdsOf, unitsOf } from './assignment-batch.js';

type CaseEvent = EventOf<typeof TOPICS.caseEvents>;

const event = (type: string, payload: Record<string, unknown>): CaseEvent => newEnvelope({ type, payload, source: 'router' }) as unknown as CaseEvent;
const mail = (address: string): UnitContacts => ({ emails: [address], prefer: 'email' });
const received = (inquiryId: string) => event('Received', { inquiryId, at: '2026-11-28T08:00:00.000Z', actor: 'system', channel: 'app', content: '路灯不亮' });
const assigned = (inquiryId: string, unitId: string, extra: Record<string, unknown> = {}) =>
  event('Assigned', {
    inquiryId,
    at: '2026-11-28T08:00:01.000Z',
    actor: 'system',
    unitId,
    unitName: `单位${unitId}`,
    coUnitIds: [],
    acceptDeadline: '2026-11-30T15:59:59.999Z',
    replyDeadline: '2026-12-04T15:59:59.999Z',
    unitContacts: mail(`${unitId}@yl.gov.cn`),
    ...extra,
  });

describe('assignmentBatch', () => {
  it('takes Received and Assigned events of different cases, each case received before it is assigned', () => {
    const batch = assignmentBatch([received('a'), assigned('a', 'u1'), received('b'), assigned('c', 'u1'), assigned('b', 'u2')]);
    expect(batch?.received.map((e) => e.payload.inquiryId)).toEqual(['a', 'b']);
    expect(batch?.assigned.map((e) => e.payload.inquiryId)).toEqual(['a', 'c', 'b']);
  });

  it('leaves a single event, and any other event type, to the event-by-event path', () => {
    expect(assignmentBatch([assigned('a', 'u1')])).toBeUndefined();
    expect(assignmentBatch([received('a'), event('SlaWarning', { inquiryId: 'a' })])).toBeUndefined();
  });

  it('refuses a case received twice, assigned twice, or received after its assignment', () => {
    expect(assignmentBatch([received('a'), received('a')])).toBeUndefined();
    expect(assignmentBatch([assigned('a', 'u1'), assigned('a', 'u2')])).toBeUndefined();
    expect(assignmentBatch([assigned('a', 'u1'), received('a')])).toBeUndefined();
  });

  it('refuses a unit named with different contacts, or with and without contacts', () => {
    expect(assignmentBatch([assigned('a', 'u1'), assigned('b', 'u1', { unitContacts: mail('other@yl.gov.cn') })])).toBeUndefined();
    expect(assignmentBatch([assigned('a', 'u1'), assigned('b', 'u1', { unitContacts: undefined })])).toBeUndefined();
    expect(assignmentBatch([assigned('a', 'u2', { coUnitIds: ['u1'] }), assigned('b', 'u1')])).toBeUndefined();
    const coWithContacts = { coUnitIds: ['u1'], coUnits: [{ unitId: 'u1', unitName: '单位u1', unitContacts: mail('u1@yl.gov.cn') }] };
    expect(assignmentBatch([assigned('a', 'u2', coWithContacts), assigned('b', 'u1')])).toBeDefined();
  });
});

describe('unitsOf', () => {
  it('names the lead unit first, then the co-handling units without the lead; contacts only where given', () => {
    const e = assigned('a', 'u1', { coUnitIds: ['u2', 'u1'], coUnits: [{ unitId: 'u3', unitName: '单位u3', unitContacts: mail('u3@yl.gov.cn') }] });
    const p = e.payload as Parameters<typeof unitsOf>[0];
    expect(coUnitIdsOf(p)).toEqual(['u2', 'u3']);
    const { updates, ids } = unitsOf(p);
    expect(ids).toEqual(['u1', 'u2', 'u3']);
    expect(updates.map((u) => u.unitId)).toEqual(['u1', 'u3']);
  });
});
