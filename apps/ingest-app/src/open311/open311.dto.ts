import { z } from 'zod';
import { Open311Error } from './open311.format.js';

/** GeoReport "Optional Arguments": an empty parameter is the same as an absent one. */
const optionalText = (max: number, name: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
    z.string({ message: `${name} 必须是文本` }).max(max, { message: `${name} 不能超过 ${max.toLocaleString('en-US')} 个字符（${name} is limited to ${max} characters）` }).optional(),
  );
const optionalNumber = (min: number, max: number, name: string) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : typeof v === 'string' ? Number(v) : v),
    z.number({ message: `${name} 必须是数字` }).min(min, { message: `${name} 超出范围` }).max(max, { message: `${name} 超出范围` }).optional(),
  );

/** POST Service Request fields (application/x-www-form-urlencoded; `attribute[code]=v`, `attribute[code][]=v`). */
export const postRequestSchema = z.object({
  api_key: optionalText(200, 'api_key'),
  jurisdiction_id: optionalText(100, 'jurisdiction_id'),
  service_code: optionalText(20, 'service_code'),
  lat: optionalNumber(-90, 90, 'lat'),
  long: optionalNumber(-180, 180, 'long'),
  address_string: optionalText(500, 'address_string'),
  address_id: optionalText(100, 'address_id'),
  email: optionalText(254, 'email'),
  device_id: optionalText(200, 'device_id'),
  account_id: optionalText(200, 'account_id'),
  first_name: optionalText(100, 'first_name'),
  last_name: optionalText(100, 'last_name'),
  phone: optionalText(40, 'phone'),
  description: optionalText(4000, 'description'),
  media_url: optionalText(2000, 'media_url'),
  attribute: z.record(z.string().max(50), z.union([z.string().max(4000), z.array(z.string().max(200)).max(50)])).optional(),
});
export type PostRequestInput = z.infer<typeof postRequestSchema>;

const listParam = (name: string, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : String(v).split(',').map((s) => s.trim()).filter(Boolean)),
    z.array(z.string().max(64)).max(max, { message: `${name} 最多 ${max} 个` }).optional(),
  );

/** GET Service Requests query. */
export const requestsQuerySchema = z.object({
  jurisdiction_id: optionalText(100, 'jurisdiction_id'),
  service_request_id: listParam('service_request_id', 100),
  service_code: listParam('service_code', 50),
  status: listParam('status', 2).pipe(
    z.array(z.enum(['open', 'closed'], { message: 'status 只能是 open 或 closed' })).optional(),
  ),
  start_date: optionalText(40, 'start_date'),
  end_date: optionalText(40, 'end_date'),
});
export type RequestsQuery = z.infer<typeof requestsQuerySchema>;

export const jurisdictionQuerySchema = z.object({ jurisdiction_id: optionalText(100, 'jurisdiction_id') });

/** Parses with a schema, or throws one 400 GeoReport error per problem. Unknown fields are ignored. */
export function parseOpen311<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw Open311Error.invalid(...result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)));
}

/** A service request as GET requests shows it: the public record, no personal data. */
export interface Open311RequestView {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string | null;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime?: string;
  address: string | null;
  address_id: string | null;
  lat?: number;
  long?: number;
  media_url?: string;
}
