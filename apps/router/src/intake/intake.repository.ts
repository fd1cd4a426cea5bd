import { Injectable } from '@nestjs/common';
import type { InquirySubmitted } from '@app/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class IntakeRepository {
  /** Inserts the case; false when it already exists (the same inquiry submitted twice by an ingestor). */
  async insertCase(manager: EntityManager, inquiry: InquirySubmitted): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO cases (inquiry_id, tracking_no, channel, citizen_channel, citizen_ref, type_hint, title, content,
                          location, attachments, anonymous, public_origin, status, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'received', $13)
       ON CONFLICT (inquiry_id) DO NOTHING RETURNING 1`,
      [
        inquiry.inquiryId,
        inquiry.trackingNo ?? null,
        inquiry.channel,
        inquiry.citizen.channel,
        inquiry.citizen.externalUserId,
        inquiry.typeHint ?? null,
        inquiry.title ?? null,
        inquiry.content,
        inquiry.location ? JSON.stringify(inquiry.location) : null,
        JSON.stringify(inquiry.attachments),
        inquiry.anonymous,
        inquiry.publicOrigin,
        inquiry.receivedAt,
      ],
    );
    return rows.length > 0;
  }
}
