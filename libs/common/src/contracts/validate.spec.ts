import { newEnvelope } from './envelope.js';
import { TOPICS, allTopicNames } from './topics.js';
import { ContractViolation, decodeEvent, validateEvent } from './validate.js';

const inquiry = {
  inquiryId: '01JDXAMPLE00000000000000001',
  channel: 'wechat',
  citizen: { channel: 'wechat', externalUserId: 'oAbC123' },
  content: '高家堡镇自来水停了三天，什么时候恢复？',
  receivedAt: '2026-11-27T08:00:00.000+08:00',
  vendorMessageIds: ['24602960436195712'],
};

describe(validateEvent.name, () => {
  it('accepts a valid envelope and applies payload defaults', () => {
    const event = validateEvent(
      TOPICS.inquirySubmitted,
      newEnvelope({ type: 'InquirySubmitted', payload: inquiry, source: 'ingest-wechat' }),
    );
    expect(event.payload.anonymous).toBe(true);
    expect(event.payload.attachments).toEqual([]);
    expect(event.payload.vendorMessageIds).toEqual(['24602960436195712']);
  });

  it('refuses a vendor id given as a number, since WeChat MsgIds exceed 2^53', () => {
    const envelope = newEnvelope({ type: 'InquirySubmitted', payload: { ...inquiry, vendorMessageIds: [24602960436195712] }, source: 's' });
    expect(() => validateEvent(TOPICS.inquirySubmitted, envelope)).toThrow(/payload.vendorMessageIds.0/);
  });

  it('refuses an event type the topic does not carry', () => {
    const envelope = newEnvelope({ type: 'Assigned', payload: inquiry, source: 's' });
    expect(() => validateEvent(TOPICS.inquirySubmitted, envelope)).toThrow(ContractViolation);
  });

  it('refuses an envelope whose id is not a ULID', () => {
    const envelope = { ...newEnvelope({ type: 'InquirySubmitted', payload: inquiry, source: 's' }), id: 'abc' };
    expect(() => validateEvent(TOPICS.inquirySubmitted, envelope)).toThrow(/id: must be a ULID/);
  });

  it('decodes bytes and names a JSON error', () => {
    expect(() => decodeEvent(TOPICS.caseEvents, Buffer.from('{oops'))).toThrow(/not JSON/);
    expect(() => decodeEvent(TOPICS.caseEvents, null)).toThrow(/empty message/);
  });

  it('keys case events by inquiry id so a case stays on one partition', () => {
    const payload = { inquiryId: 'case-1', at: '2026-11-27T00:00:00Z', outcome: '已办结' };
    expect(TOPICS.caseEvents.keyOf(validateEvent(TOPICS.caseEvents, newEnvelope({ type: 'Closed', payload, source: 'r' })).payload)).toBe('case-1');
  });

  it('lists every topic with its dead-letter twin', () => {
    expect(allTopicNames()).toEqual(
      expect.arrayContaining(['inquiry.submitted.v1', 'inquiry.submitted.v1.dlq', 'delivery.events.v1.dlq']),
    );
    expect(allTopicNames()).toHaveLength(10);
  });
});
