import { Inject, Injectable } from '@nestjs/common';
import { InjectPlatformConfig, OutboxWriter, TOPICS, type Attachment } from '@app/common';
import { MediaPipeline } from '@app/common/media/media.pipeline.js';
import type { ObjectStore } from '@app/common/media/object-store.js';
import { DataSource } from 'typeorm';
import { RouterError } from '../common/router-error.js';
import type { RouterConfig } from '../config.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { DEADLINE_CALENDAR, type DeadlineCalendar } from '../routing/deadline-calendar.js';
import { AgencyRepository } from './agency.repository.js';
import type { AgencyListQuery, WebhookDto } from './agency.dto.js';
import { OBJECT_STORE } from './media.providers.js';
import { UnitContactsRepository } from './unit-contacts.repository.js';

/** The agency API's reads and the unit's own settings; the case steps are in LifecycleService. */
@Injectable()
export class AgencyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: AgencyRepository,
    private readonly contacts: UnitContactsRepository,
    private readonly registry: RegistryRepository,
    private readonly outbox: OutboxWriter,
    private readonly media: MediaPipeline,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(DEADLINE_CALENDAR) private readonly calendar: DeadlineCalendar,
    @InjectPlatformConfig() private readonly config: RouterConfig,
  ) {}

  list(unitId: string, query: AgencyListQuery) {
    const dueSoonBy = this.calendar.addWorkingDays(new Date(), this.config.env.ROUTER_WARN_WORKING_DAYS);
    return this.repository.list(this.dataSource.manager, unitId, query, dueSoonBy);
  }

  async storeMedia(files: Express.Multer.File[]): Promise<{ attachments: Attachment[] }> {
    if (files.length === 0) throw new RouterError('invalid_request', '请在 files 字段上传至少一个文件');
    const isVideo = (f: Express.Multer.File) => f.mimetype.startsWith('video/');
    const batch = await this.media.ingestAll(files.map((f) => ({ path: f.path, expect: isVideo(f) ? ('video' as const) : ('photo' as const) })));
    return { attachments: batch.attachments };
  }

  /** A reply may only reference objects that are in the store (uploaded through POST /agency/media). */
  async assertStored(attachments: Attachment[]): Promise<void> {
    for (const a of attachments) {
      if (!(await this.store.exists(a.objectKey))) throw new RouterError('invalid_request', `附件 ${a.objectKey} 不存在，请先上传`);
    }
  }

  async detail(unitId: string, inquiryId: string) {
    const c = await this.repository.detail(this.dataSource.manager, unitId, inquiryId);
    if (!c) throw new RouterError('case_not_found', `案件 ${inquiryId} 不存在`);
    return c;
  }

  /** Stores the webhook and tells the notifier (UnitContactsChanged), so the next notice already uses it. */
  async setWebhook(unitId: string, dto: WebhookDto | null, actor: string): Promise<void> {
    if (dto && this.config.env.NODE_ENV === 'production' && !dto.url.startsWith('https://')) {
      throw new RouterError('invalid_request', '生产环境的回调地址必须使用 https');
    }
    await this.dataSource.transaction(async (manager) => {
      const unit = await this.registry.getUnit(manager, unitId, true);
      if (!unit) throw new RouterError('unit_not_found', `单位 ${unitId} 不存在`);
      await this.contacts.setWebhook(manager, unitId, dto);
      await manager.query(`UPDATE units SET version = version + 1 WHERE id = $1`, [unitId]);
      await this.registry.recordHistory(manager, unitId, dto ? 'webhook_registered' : 'webhook_removed', actor);
      const contacts = (await this.contacts.of(manager, unitId))!;
      await this.outbox.append(manager, TOPICS.caseEvents, 'UnitContactsChanged', {
        // Not about one case: keyed by the unit so its contact changes stay in order.
        inquiryId: `unit:${unitId}`,
        at: new Date().toISOString(),
        actor,
        unitId,
        unitName: contacts.unitName,
        unitContacts: { emails: contacts.emails, prefer: contacts.prefer, ...(contacts.webhook ? { webhook: contacts.webhook } : {}) },
      });
    });
  }
}
