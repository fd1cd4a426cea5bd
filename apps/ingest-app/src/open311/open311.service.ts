import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Location } from '@app/common';
import { maskPublicText } from '@app/common/privacy/mask.js';
import { PhoneProtector } from '../accounts/phone-protector.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import { InquiriesService, type InquiryDraft } from '../inquiries/inquiries.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { checkAttributes } from './open311.attributes.js';
import { Open311Catalogue, type Open311ServiceType } from './open311.catalogue.js';
import type { PostRequestInput, RequestsQuery } from './open311.dto.js';
import { Open311Error } from './open311.format.js';
import { Open311Repository } from './open311.repository.js';
import { toRequestView } from './open311.view.js';
import { checkMediaUrl, MediaRefused, refusalOfLiteralHost } from './safe-fetch.js';

const DAY_MS = 86_400_000;
/** GeoReport "GET Service Requests": a range spans 90 days at most and defaults to the last 90; 1,000 rows at most. */
const WINDOW_DAYS = 90;
const MAX_ROWS = 1000;
/** Without an Idempotency-Key, the same request from the same key within this window is one request (client retries). */
const AUTO_IDEMPOTENCY_MS = 10 * 60_000;

const W3_DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export interface PostAnswer {
  service_request_id: string;
  service_notice: string;
  account_id: null;
  replayed: boolean;
}

type ServiceSummary = Omit<Open311ServiceType, 'attributes'>;

/** Open311 GeoReport v2 over the app's own submission path and read model (a channel adapter, DESIGN "Services"). */
@Injectable()
export class Open311Service {
  private readonly catalogue = new Open311Catalogue();
  private readonly contacts: PhoneProtector;

  constructor(
    private readonly inquiries: InquiriesService,
    private readonly repository: Open311Repository,
    private readonly keys: ApiKeysService,
    @Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig,
  ) {
    this.contacts = new PhoneProtector(config.env.PHONE_HMAC_KEY, config.env.PHONE_ENCRYPTION_KEY);
  }

  /** Single-jurisdiction endpoint: jurisdiction_id is optional, but a wrong one is a 404 (spec "Possible Errors"). */
  checkJurisdiction(jurisdictionId: string | undefined): void {
    if (jurisdictionId !== undefined && jurisdictionId !== this.config.env.OPEN311_JURISDICTION_ID) {
      throw Open311Error.notFound(`找不到 jurisdiction_id ${jurisdictionId}（jurisdiction_id not found）`);
    }
  }

  services(): ServiceSummary[] {
    return this.catalogue.list().map(({ attributes: _attributes, ...summary }) => summary);
  }

  definition(serviceCode: string): { service_code: string; attributes: Open311ServiceType['attributes'] } {
    const service = this.catalogue.find(serviceCode);
    if (!service) throw Open311Error.notFound(`找不到服务代码 ${serviceCode}（service_code not found）`);
    return { service_code: service.service_code, attributes: service.attributes };
  }

  async submit(input: PostRequestInput, idempotencyKey: string | undefined): Promise<PostAnswer> {
    this.checkJurisdiction(input.jurisdiction_id);
    const key = await this.keys.authorize(input.api_key, '提交诉求');
    if (!input.service_code) throw Open311Error.invalid('缺少 service_code（service_code was not provided）');
    const service = this.catalogue.find(input.service_code);
    if (!service) throw Open311Error.notFound(`找不到服务代码 ${input.service_code}（service_code not found）`);
    const problems: string[] = [];
    const { attributes, lines } = checkAttributes(service, input.attribute ?? {}, problems);
    const location = this.location(input, problems);
    const mediaUrl = this.mediaUrl(input.media_url, problems);
    if (problems.length > 0) throw Open311Error.invalid(...problems);

    const description = input.description ?? '';
    const draft: InquiryDraft = {
      channel: 'open311',
      title: `${service.group} · ${service.service_name}`.slice(0, 200),
      content: [description || service.service_name, ...lines].join('\n'),
      location,
      // Open311 has no "show my name" choice: the public copy is masked as for an anonymous citizen.
      anonymous: true,
      attachments: [],
    };
    const requestHash = fingerprint(input);
    const claim = {
      owner: `open311:${key.keyId}`,
      key: idempotencyKey ?? `auto:${requestHash}:${Math.floor(Date.now() / AUTO_IDEMPOTENCY_MS)}`,
      requestHash,
    };
    const { answer, replayed } = await this.inquiries.recordDraft(draft, claim, async (manager, recorded) => {
      await this.repository.insert(manager, {
        inquiryId: recorded.inquiryId,
        trackingNo: recorded.trackingNo,
        serviceCode: service.service_code,
        keyId: key.keyId,
        attributes,
        publicDescription: maskPublicText(description, { anonymous: true }),
        publicAddress: input.address_string ? maskPublicText(input.address_string, { anonymous: true }) : undefined,
        addressId: input.address_id,
        lat: input.lat,
        long: input.long,
        contactSealed: this.sealContact(input),
        requestedAt: recorded.receivedAt,
      });
      // Fetched later by Open311MediaWorker: the request is durable whatever the media server does.
      if (mediaUrl) await this.repository.insertMediaJob(manager, recorded.inquiryId, mediaUrl);
    });
    return {
      service_request_id: answer.trackingNo,
      service_notice: '已受理，将在 2 小时内分派到承办单位，承办单位在 5 个工作日内答复。',
      account_id: null,
      replayed,
    };
  }

  async requests(query: RequestsQuery): Promise<ReturnType<typeof toRequestView>[]> {
    this.checkJurisdiction(query.jurisdiction_id);
    // service_request_id "overrides all other arguments".
    if (query.service_request_id) {
      const rows = await this.repository.find({ ids: query.service_request_id, limit: MAX_ROWS });
      return rows.map((row) => toRequestView(row, this.catalogue));
    }
    const { from, to } = window(query.start_date, query.end_date);
    const rows = await this.repository.find({ serviceCodes: query.service_code, statuses: query.status, from, to, limit: MAX_ROWS });
    return rows.map((row) => toRequestView(row, this.catalogue));
  }

  async request(id: string): Promise<ReturnType<typeof toRequestView>> {
    const [row] = await this.repository.find({ ids: [id], limit: 1 });
    if (!row) throw Open311Error.notFound(`找不到诉求 ${id}（service_request_id not found）`);
    return toRequestView(row, this.catalogue);
  }

  /** The token is the platform's inquiry id; the answer is its service_request_id (the tracking number). */
  async token(token: string): Promise<{ service_request_id: string; token: string }> {
    const id = await this.repository.trackingNoOf(token);
    if (!id) throw Open311Error.notFound(`找不到 token ${token}（token not found）`);
    return { service_request_id: id, token };
  }

  private location(input: PostRequestInput, problems: string[]): Location | undefined {
    const hasLat = input.lat !== undefined;
    if (hasLat !== (input.long !== undefined)) problems.push('lat 和 long 须同时提供（lat & long both need to be sent）');
    if (!hasLat && !input.address_string && !input.address_id) {
      problems.push('缺少位置：须提供 lat 和 long、address_string 或 address_id 之一（a full location parameter must be submitted）');
    }
    const address = input.address_string ?? (input.address_id ? `地址编号 ${input.address_id}` : undefined);
    if (!hasLat && !address) return undefined;
    return { latitude: input.lat, longitude: input.long, address };
  }

  private mediaUrl(raw: string | undefined, problems: string[]): string | undefined {
    if (!raw) return undefined;
    try {
      const url = checkMediaUrl(raw);
      const refusal = refusalOfLiteralHost(url, this.config.env.OPEN311_MEDIA_ALLOW_LOOPBACK);
      if (refusal) throw new MediaRefused(refusal);
      return url.toString();
    } catch (error) {
      if (!(error instanceof MediaRefused)) throw error;
      problems.push(`media_url 不可用：${error.message}（media_url refused）`);
      return undefined;
    }
  }

  private sealContact(input: PostRequestInput): string | undefined {
    const contact = {
      email: input.email,
      first_name: input.first_name,
      last_name: input.last_name,
      phone: input.phone,
      device_id: input.device_id,
      account_id: input.account_id,
    };
    if (Object.values(contact).every((v) => v === undefined)) return undefined;
    return this.contacts.encrypt(JSON.stringify(contact));
  }
}

function fingerprint(input: PostRequestInput): string {
  const { api_key: _key, ...fields } = input;
  const sorted = Object.keys(fields).sort().map((k) => [k, fields[k as keyof typeof fields]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

function parseW3(value: string, name: string): Date {
  if (!W3_DATETIME.test(value)) throw Open311Error.invalid(`${name} 须为 W3C 日期时间格式，例如 2026-11-01T00:00:00+08:00（${name} must use w3 format）`);
  // A bare date is a day in the platform's own time zone.
  const date = new Date(value.length === 10 ? `${value}T00:00:00+08:00` : value);
  if (Number.isNaN(date.getTime())) throw Open311Error.invalid(`${name} 不是有效的日期时间（invalid ${name}）`);
  return date;
}

function window(start: string | undefined, end: string | undefined): { from: Date; to: Date } {
  const span = WINDOW_DAYS * DAY_MS;
  const from = start ? parseW3(start, 'start_date') : undefined;
  const to = end ? parseW3(end, 'end_date') : undefined;
  if (from && to) {
    if (to < from) throw Open311Error.invalid('end_date 早于 start_date（end_date is before start_date）');
    if (to.getTime() - from.getTime() > span) throw Open311Error.invalid('start_date 与 end_date 相隔不能超过 90 天（the range may not span more than 90 days）');
    return { from, to };
  }
  if (from) return { from, to: new Date(from.getTime() + span) };
  if (to) return { from: new Date(to.getTime() - span), to };
  const now = Date.now();
  return { from: new Date(now - span), to: new Date(now) };
}
