import { newId, type InquirySubmitted } from '@app/common';

let sequence = 0;

export function newInquiry(overrides: Partial<InquirySubmitted> = {}): InquirySubmitted {
  sequence++;
  return {
    inquiryId: newId(),
    trackingNo: `YL20261127-${String(sequence).padStart(6, '0')}`,
    channel: 'app',
    citizen: { channel: 'app', externalUserId: `citizen-${sequence}` },
    title: '小区门口路灯不亮',
    content: '榆阳区新建南路某小区门口的路灯已经坏了两周，晚上出行很不安全，希望尽快维修。',
    typeHint: '求助',
    attachments: [],
    anonymous: true,
    publicOrigin: false,
    receivedAt: new Date().toISOString(),
    vendorMessageIds: [],
    ...overrides,
  };
}
