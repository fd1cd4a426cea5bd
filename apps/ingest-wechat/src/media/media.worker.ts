import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectLogger } from '@app/common';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { CONFIG } from '../tokens.js';
import type { IngestWechatConfig } from '../config.js';
import { MediaRepository, type MediaJob } from './media.repository.js';
import { isPermanentMediaError, MEDIA_INGESTOR, type MediaIngestor } from './media-ingestor.js';
import { isTransient, WechatApiClient } from './wechat-api.client.js';

const LEASE_SEC = 120;
const BATCH = 4;

/**
 * Downloads media in the background (never inside a push): persisted jobs, claimed with a lease by any
 * instance, retried with exponential back-off, given up after MEDIA_MAX_ATTEMPTS. A given-up item is marked
 * failed and the inquiry goes out without it — the inquiry itself is never lost.
 */
@Injectable()
export class MediaWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(
    private readonly repository: MediaRepository,
    private readonly api: WechatApiClient,
    @Inject(MEDIA_INGESTOR) private readonly ingestor: MediaIngestor,
    private readonly conversation: ConversationService,
    private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: IngestWechatConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.env.MEDIA_WORKER) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Processes one batch of due jobs; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const jobs = await this.repository.claim(this.dataSource, BATCH, LEASE_SEC);
    await Promise.all(jobs.map((job) => this.process(job)));
    return jobs.length;
  }

  private async process(job: MediaJob): Promise<void> {
    try {
      const media = await this.api.downloadMedia(job.account, job.media_id);
      const attachment = await this.ingestor.ingest({ bytes: media.bytes, declaredType: media.contentType, kind: job.media_kind });
      await this.dataSource.transaction(async (m) => {
        await this.conversation.mediaReady(m, job.item_id, attachment);
        await this.repository.finish(m, job.id, 'done');
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const env = this.config.env;
      if (!isPermanentMediaError(error) && isTransient(error) && job.attempts < env.MEDIA_MAX_ATTEMPTS) {
        const delay = Math.min(env.MEDIA_RETRY_BASE_MS * 2 ** (job.attempts - 1), 10 * 60_000);
        this.logger.warn({ job: job.id, attempts: job.attempts, delay, reason }, 'media download failed; will retry');
        await this.repository.retryLater(this.dataSource, job.id, delay, reason).catch(() => undefined);
        return;
      }
      this.logger.error({ job: job.id, attempts: job.attempts, reason }, 'media download given up');
      await this.dataSource
        .transaction(async (m) => {
          await this.conversation.mediaFailed(m, job.item_id);
          await this.repository.finish(m, job.id, 'failed', reason);
        })
        .catch((e: unknown) => this.logger.error({ job: job.id, err: String(e) }, 'could not record the failure; lease will expire'));
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
      } catch (error) {
        this.logger.error({ err: String(error) }, 'media worker failed; will retry');
      }
      if (claimed < BATCH) await this.sleep(this.config.env.MEDIA_POLL_MS);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        resolve();
      };
      this.timer = setTimeout(resolve, ms);
    });
  }
}
