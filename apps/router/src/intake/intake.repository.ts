import { Injectable } from '@nestjs/common';
import type { InquirySubmitted } from '@app/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class IntakeRepository {
  /** Inserts the cases; returns the ids that were new (an ingestor may submit the same inquiry twice). */
  async insertCases(manager: EntityManager, inquiries: InquirySubmitted[]): Promise<Set<string>> {
    const rows = inquiries.map((inquiry) => ({
      inquiry_id: inquiry.inquiryId,
      tracking_no: inquiry.trackingNo ?? null,
      channel: inquiry.channel,
      citizen_channel: inquiry.citizen.channel,
      citizen_ref: inquiry.citizen.externalUserId,
      type_hint: inquiry.typeHint ?? null,
      title: inquiry.title ?? null,
      content: inquiry.content,
      location: inquiry.location ?? null,
      attachments: inquiry.attachments,
      anonymous: inquiry.anonymous,
      public_origin: inquiry.publicOrigin,
      received_at: inquiry.receivedAt,
    }));
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO cases (inquiry_id, tracking_no, channel, citizen_channel, citizen_ref, type_hint, title, content,
                          location, attachments, anonymous, public_origin, status, received_at)
       SELECT inquiry_id, tracking_no, channel, citizen_channel, citizen_ref, type_hint, title, content,
              location, attachments, anonymous, public_origin, 'received', received_at
       FROM jsonb_to_recordset($1::jsonb) AS x(inquiry_id text, tracking_no text, channel text, citizen_channel text,
            citizen_ref text, type_hint text, title text, content text, location jsonb, attachments jsonb,
            anonymous boolean, public_origin boolean, received_at timestamptz)
       ON CONFLICT (inquiry_id) DO NOTHING RETURNING inquiry_id AS id`,
      [JSON.stringify(rows)],
    );
    return new Set(inserted.map((r) => r.id));
  }
}
