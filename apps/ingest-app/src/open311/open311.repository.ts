import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface NewOpen311Request {
  inquiryId: string;
  trackingNo: string;
  serviceCode: string;
  keyId: string;
  attributes: Record<string, string | string[]>;
  publicDescription: string;
  publicAddress?: string;
  addressId?: string;
  lat?: number;
  long?: number;
  contactSealed?: string;
  requestedAt: string;
}

/** One row of the public record: the read model (`case_views`) joined with what Open311 itself recorded. */
export interface PublicRequestRow {
  inquiry_id: string;
  service_request_id: string;
  status: 'open' | 'closed';
  case_status: string | null;
  service_code: string | null;
  category: string | null;
  description: string | null;
  unit_name: string | null;
  public_reply: string | null;
  reason: string | null;
  reply_deadline: Date | null;
  replied_at: Date | null;
  requested_at: Date;
  updated_at: Date;
  public_address: string | null;
  address_id: string | null;
  lat: number | null;
  long: number | null;
  approved_photos: string[] | null;
}

export interface RequestsFilter {
  ids?: string[];
  serviceCodes?: string[];
  statuses?: ('open' | 'closed')[];
  from?: Date;
  to?: Date;
  limit: number;
}

const CLOSED = `('replied', 'rated', 'closed', 'rejected', 'merged')`;

/**
 * Open311 requests are public from the moment they are filed (as on other GeoReport servers); cases from the
 * other channels join the record once published, by the portal's rule (a reply, neither rejected nor merged).
 */
const PUBLIC_RECORD = `
  SELECT coalesce(v.inquiry_id, r.inquiry_id) AS inquiry_id,
         coalesce(r.tracking_no, v.tracking_no, v.inquiry_id) AS service_request_id,
         CASE WHEN v.status IN ${CLOSED} THEN 'closed' ELSE 'open' END AS status,
         v.status AS case_status, r.service_code, v.category,
         coalesce(r.public_description, v.public_content) AS description,
         v.unit_name, v.public_reply, v.reason, v.reply_deadline, v.replied_at,
         coalesce(r.requested_at, v.received_at) AS requested_at,
         greatest(v.updated_at, r.requested_at) AS updated_at,
         r.public_address, r.address_id, r.lat, r.long, v.approved_photos
    FROM case_views v FULL JOIN open311_requests r ON r.inquiry_id = v.inquiry_id
   WHERE r.inquiry_id IS NOT NULL
      OR (v.replied_at IS NOT NULL AND v.status NOT IN ('rejected', 'merged') AND v.received_at IS NOT NULL)`;

@Injectable()
export class Open311Repository {
  constructor(private readonly db: DataSource) {}

  async insert(manager: EntityManager, r: NewOpen311Request): Promise<void> {
    await manager.query(
      `INSERT INTO open311_requests (inquiry_id, tracking_no, service_code, key_id, attributes, public_description, public_address,
                                     address_id, lat, long, contact_sealed, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        r.inquiryId, r.trackingNo, r.serviceCode, r.keyId, JSON.stringify(r.attributes), r.publicDescription, r.publicAddress ?? null,
        r.addressId ?? null, r.lat ?? null, r.long ?? null, r.contactSealed ?? null, r.requestedAt,
      ],
    );
  }

  async insertMediaJob(manager: EntityManager, inquiryId: string, url: string): Promise<void> {
    await manager.query('INSERT INTO open311_media_jobs (inquiry_id, url) VALUES ($1, $2)', [inquiryId, url]);
  }

  async find(filter: RequestsFilter): Promise<PublicRequestRow[]> {
    const rows: PublicRequestRow[] = await this.db.query(
      `SELECT * FROM (${PUBLIC_RECORD}) p
        WHERE ($1::text[] IS NULL OR p.service_request_id = ANY($1) OR p.inquiry_id = ANY($1))
          AND ($2::text[] IS NULL OR p.service_code = ANY($2))
          AND ($3::text[] IS NULL OR p.status = ANY($3))
          AND ($4::timestamptz IS NULL OR p.requested_at >= $4)
          AND ($5::timestamptz IS NULL OR p.requested_at <= $5)
        ORDER BY p.requested_at DESC, p.inquiry_id DESC
        LIMIT $6`,
      [filter.ids ?? null, filter.serviceCodes ?? null, filter.statuses ?? null, filter.from ?? null, filter.to ?? null, filter.limit],
    );
    return rows.map((r) => ({ ...r, lat: r.lat === null ? null : Number(r.lat), long: r.long === null ? null : Number(r.long) }));
  }

  /** The tracking number (service_request_id) of an inquiry, by its id (the GeoReport token). */
  async trackingNoOf(inquiryId: string): Promise<string | undefined> {
    const [row] = await this.db.query(
      `SELECT service_request_id FROM (${PUBLIC_RECORD}) p WHERE p.inquiry_id = $1`,
      [inquiryId],
    );
    return (row as { service_request_id: string } | undefined)?.service_request_id;
  }
}
