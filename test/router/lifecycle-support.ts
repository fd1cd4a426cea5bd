import { TOPICS, type InquirySubmitted, type Rating } from '@app/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { newInquiry } from '../support/builders.js';
import type { RouterHarness } from './router-support.js';

/** Drives cases to a lifecycle state through the real broker and the desk API. */
export class CaseDriver {
  readonly db: DataSource;
  readonly http: ReturnType<typeof request>;

  constructor(private readonly h: RouterHarness) {
    this.db = h.app.get(DataSource);
    this.http = request(h.app.getHttpServer());
  }

  desk = () => `Bearer ${this.h.token('desk', 'operator-1')}`;
  agent = (unitId: string, sub = `agent-of-${unitId}`) => `Bearer ${this.h.token('unit', sub, unitId)}`;

  async unitId(shortName: string): Promise<string> {
    return (await this.db.query(`SELECT id FROM router.units WHERE short_name = $1`, [shortName]))[0].id;
  }

  /** A case queued for the desk (vague text), then assigned by an operator. */
  async assigned(unitId: string, coUnitIds: string[] = [], overrides: Partial<InquirySubmitted> = {}): Promise<string> {
    const inquiry = newInquiry({ title: '反映问题', content: '这个事情拖了很久了，希望领导重视一下，尽快解决。', ...overrides });
    await this.h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    await this.h.waitForEvent(inquiry.inquiryId, 'QueuedForDesk');
    await this.http
      .post(`/desk/cases/${inquiry.inquiryId}/assign`)
      .set('Authorization', this.desk())
      .send({ unitId, coUnitIds, reason: '测试分派' })
      .expect(204);
    await this.h.waitForEvent(inquiry.inquiryId, 'Assigned');
    return inquiry.inquiryId;
  }

  async replied(unitId: string, text = GOOD_REPLY): Promise<string> {
    const id = await this.assigned(unitId);
    await this.http.post(`/agency/cases/${id}/reply`).set('Authorization', this.agent(unitId)).send({ text }).expect(200);
    return id;
  }

  async rate(inquiryId: string, rating: Rating, comment?: string): Promise<string> {
    const envelope = await this.h.producer.publish(TOPICS.inquiryInteraction, 'RatingGiven', {
      inquiryId,
      citizen: { channel: 'app', externalUserId: 'citizen-x' },
      at: new Date().toISOString(),
      rating,
      ...(comment ? { comment } : {}),
    });
    return envelope.id;
  }

  async status(inquiryId: string): Promise<string> {
    return (await this.db.query(`SELECT status FROM router.cases WHERE inquiry_id = $1`, [inquiryId]))[0].status;
  }

  async auditActions(inquiryId: string): Promise<{ action: string; actor: string; reason: string | null }[]> {
    return this.db.query(`SELECT action, actor, reason FROM router.case_audit WHERE inquiry_id = $1 ORDER BY id`, [inquiryId]);
  }
}

export const GOOD_REPLY =
  '网友您好：经市住建局现场核实，您反映的小区门口路灯已于本周三由物业更换灯具并恢复照明，今后将每月巡查一次。如仍有问题请回复本件。';
