import { MEDIA_ROUTE } from '../portal/portal.service.js';
import type { Open311Catalogue } from './open311.catalogue.js';
import type { Open311RequestView } from './open311.dto.js';
import type { PublicRequestRow } from './open311.repository.js';

const DESCRIPTION_MAX = 4000;

/** An instant in W3C/ISO 8601 with the platform's offset (China, UTC+8, no DST): 2026-11-27T16:05:00+08:00. */
export function w3(at: Date | string): string {
  const shifted = new Date(new Date(at).getTime() + 8 * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}

const OPEN_NOTES: Record<string, (unit: string | null) => string> = {
  received: () => '已受理，正在分派承办单位',
  queued_for_desk: () => '已受理，正在人工分派承办单位',
  assigned: (unit) => `已交由${unit ?? '承办单位'}办理`,
  accepted: (unit) => `${unit ?? '承办单位'}正在办理`,
  reopened: () => '市民对答复不满意，已重新办理',
};

function statusNotes(row: PublicRequestRow): string | null {
  switch (row.case_status) {
    case 'replied':
    case 'rated':
    case 'closed':
      return row.public_reply;
    case 'rejected':
      return `不予受理：${row.reason ?? ''}`;
    case 'merged':
      return '与另一件相同诉求合并办理';
    default:
      return OPEN_NOTES[row.case_status ?? 'received']?.(row.unit_name) ?? null;
  }
}

function serviceNotice(row: PublicRequestRow): string | null {
  if (row.replied_at) return `${row.unit_name ?? '承办单位'}已于 ${w3(row.replied_at).slice(0, 10)} 答复`;
  if (row.reply_deadline) return `承办单位将于 ${w3(row.reply_deadline).slice(0, 10)} 前答复`;
  if (row.status === 'open') return '将在 2 小时内分派到承办单位，承办单位在 5 个工作日内答复';
  return null;
}

/** A row of the public record as GeoReport fields. Only masked texts reach here; no contact data exists in the row. */
export function toRequestView(row: PublicRequestRow, catalogue: Open311Catalogue): Open311RequestView {
  const service = row.service_code ? catalogue.find(row.service_code) : undefined;
  const photo = row.approved_photos?.[0];
  return {
    service_request_id: row.service_request_id,
    status: row.status,
    status_notes: statusNotes(row),
    service_name: service?.service_name ?? row.category,
    service_code: service?.service_code ?? null,
    description: row.description ? row.description.slice(0, DESCRIPTION_MAX) : null,
    agency_responsible: row.unit_name,
    service_notice: serviceNotice(row),
    requested_datetime: w3(row.requested_at),
    updated_datetime: w3(row.updated_at ?? row.requested_at),
    ...(row.reply_deadline && row.status === 'open' ? { expected_datetime: w3(row.reply_deadline) } : {}),
    address: row.public_address,
    address_id: row.address_id,
    ...(row.lat !== null && row.long !== null ? { lat: row.lat, long: row.long } : {}),
    // Photos are public only once the desk approved them (DESIGN "Privacy"), and then from the portal.
    ...(photo ? { media_url: MEDIA_ROUTE + photo } : {}),
  };
}
