import { Inject, Injectable } from '@nestjs/common';
import { CodedError } from '@app/common/http/coded-error.js';
import type { ObjectStore } from '@app/common/media/object-store.js';
import type { Readable } from 'node:stream';
import { OBJECT_STORE } from '../media.providers.js';
import type { CityFiguresDto, FiguresDto, PortalSearchDto, PublicCaseDetailDto, PublicCaseDto, PublicCasePageDto, UnitFiguresDto } from './portal.dto.js';
import { PortalRepository, type FiguresRow, type PublicCaseRow } from './portal.repository.js';

export const MEDIA_ROUTE = '/portal/media/';

/** The public portal: published cases (masked when projected), figures, approved photos; counts page views. */
@Injectable()
export class PortalService {
  constructor(
    private readonly repository: PortalRepository,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  async search(query: PortalSearchDto): Promise<PublicCasePageDto> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const [{ rows, total }] = await Promise.all([
      this.repository.search({
        words: query.q,
        unitId: query.unitId,
        category: query.category,
        county: query.county,
        from: query.from,
        to: query.to,
        limit: pageSize,
        offset: (page - 1) * pageSize,
      }),
      this.repository.countPageView(),
    ]);
    return { items: rows.map(toPublic), total, page, pageSize };
  }

  async detail(inquiryId: string): Promise<PublicCaseDetailDto> {
    const row = await this.repository.viewCase(inquiryId);
    if (!row) throw new CodedError('not_found', 'portal.not_found', '找不到此诉求，或它尚未答复公开。');
    await this.repository.countPageView();
    const approved = new Set(row.approved_photos);
    const photos = (await this.repository.submittedPhotos(inquiryId))
      .filter((a) => a.kind === 'photo' && approved.has(a.objectKey))
      .map((a) => ({ url: MEDIA_ROUTE + a.objectKey, thumbnailUrl: a.thumbnailKey ? MEDIA_ROUTE + a.thumbnailKey : undefined }));
    return { ...toPublic(row), photos };
  }

  async cityFigures(): Promise<CityFiguresDto> {
    const [row, pageViews] = await Promise.all([this.repository.cityFigures(), this.repository.pageViews()]);
    await this.repository.countPageView();
    return { ...figures(row), pageViews };
  }

  async unitFigures(): Promise<UnitFiguresDto[]> {
    const rows = await this.repository.unitFigures();
    return rows.map((r) => ({ unitId: r.unit_id!, unitName: r.unit_name ?? '', ...figures(r) }));
  }

  /** An approved photo (or its thumbnail); anything else is a 404, whether it exists or not. */
  async photo(key: string): Promise<Readable> {
    const objectKey = key.endsWith('.thumb.jpg') ? key.replace(/\.thumb\.jpg$/, '.jpg') : key;
    if (!/^photos\/[0-9a-f]{2}\/[0-9a-f]{64}(\.thumb)?\.jpg$/.test(key) || !(await this.repository.isPublishedPhoto(objectKey))) {
      throw new CodedError('not_found', 'portal.photo_not_found', '找不到此照片，或它尚未审核公开。');
    }
    return this.store.read(key);
  }
}

const rate = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null);

function figures(row: FiguresRow): FiguresDto {
  return {
    received: row.received,
    replied: row.replied,
    replyRate: rate(row.replied, row.received),
    onTimeRate: rate(row.on_time, row.replied),
    satisfactionRate: rate(row.satisfied, row.rated),
  };
}

function toPublic(row: PublicCaseRow): PublicCaseDto {
  return {
    inquiryId: row.inquiry_id,
    trackingNo: row.tracking_no ?? undefined,
    title: row.public_title ?? undefined,
    content: row.public_content ?? '',
    category: row.category ?? undefined,
    county: row.area ?? undefined,
    unitName: row.unit_name ?? undefined,
    receivedAt: row.received_at ? new Date(row.received_at).toISOString() : undefined,
    repliedAt: new Date(row.replied_at).toISOString(),
    reply: row.public_reply ?? '',
    status: row.status,
    pageViews: Number(row.page_views),
  };
}
