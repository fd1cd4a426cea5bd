import { Injectable } from '@nestjs/common';
import type { Attachment, InquiryType, Location } from '@app/common';
import { writeBehind } from '@app/common/database/opened-transaction.js';
import { DataSource, type EntityManager } from 'typeorm';

export interface NewInquiryRow {
  inquiryId: string;
  trackingNo: string;
  accountId?: string;
  citizenRef: string;
  typeHint?: InquiryType;
  title?: string;
  content: string;
  location?: Location;
  anonymous: boolean;
  attachments: Attachment[];
  receivedAt: Date;
}

export interface StoredAnswer {
  request_hash: string;
  response: Record<string, unknown>;
}

@Injectable()
export class InquiriesRepository {
  constructor(private readonly db: DataSource) {}

  async findAnswer(owner: string, key: string): Promise<StoredAnswer | undefined> {
    const [row] = await this.db.query('SELECT request_hash, response FROM idempotency_keys WHERE owner = $1 AND key = $2', [owner, key]);
    return row as StoredAnswer | undefined;
  }

  /**
   * Claims the key first thing in the submission's transaction. A concurrent request with the same key
   * waits on the primary key until this transaction ends, then gets false and reads the stored answer.
   */
  async claimKey(manager: EntityManager, owner: string, key: string, requestHash: string, inquiryId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (owner, key, request_hash, inquiry_id, response) VALUES ($1, $2, $3, $4, '{}')
       ON CONFLICT (owner, key) DO NOTHING RETURNING 1`,
      [owner, key, requestHash, inquiryId],
    );
    return rows.length > 0;
  }

  /** Written behind (see `insertInquiry`). */
  async saveAnswer(manager: EntityManager, owner: string, key: string, response: object): Promise<void> {
    await writeBehind(manager, {
      text: 'UPDATE idempotency_keys SET response = $3 WHERE owner = $1 AND key = $2',
      values: [owner, key, JSON.stringify(response)],
    });
  }

  /**
   * Adds `count` to the day's counter and answers the last number reserved, in one statement (its own transaction,
   * committed durably: numbers kept in memory for later submissions must never be handed out again after a database
   * crash). The row stays locked until the commit's WAL flush, so reservations queue; `TrackingSequence` makes one
   * for many submissions.
   */
  async reserveTrackingNumbers(day: string, count: number): Promise<number> {
    const [row] = await this.db.query(
      `INSERT INTO tracking_counters (day, last) VALUES ($1::date, $2)
       ON CONFLICT (day) DO UPDATE SET last = tracking_counters.last + $2 RETURNING last`,
      [day, count],
    );
    return (row as { last: number }).last;
  }

  /**
   * Written behind: it travels with the submission's next statement or its COMMIT, so a submission without an
   * idempotency key is one round trip from BEGIN to COMMIT.
   */
  async insertInquiry(manager: EntityManager, row: NewInquiryRow): Promise<void> {
    await writeBehind(manager, {
      text: `INSERT INTO inquiries (inquiry_id, tracking_no, account_id, citizen_ref, type_hint, title, content, location,
                              anonymous, attachments, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      values: [
        row.inquiryId,
        row.trackingNo,
        row.accountId ?? null,
        row.citizenRef,
        row.typeHint ?? null,
        row.title ?? null,
        row.content,
        row.location ? JSON.stringify(row.location) : null,
        row.anonymous,
        JSON.stringify(row.attachments),
        row.receivedAt,
      ],
    });
  }
}
