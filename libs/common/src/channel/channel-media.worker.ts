import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ConversationService } from '../conversation/conversation.service.js';
import type { ChannelMediaRepository, MediaJob } from './channel-media.repository.js';
import { isPermanentMediaError, type MediaIngestor } from './media-ingestor.js';
import { PollingLoop } from './polling-loop.js';

export interface DownloadedMedia {
  bytes: Buffer;
  contentType: string;
}

/** What a channel's vendor API gives the worker: the download, and which of its failures are worth retrying. */
export interface MediaSource {
  downloadMedia(account: string, mediaId: string): Promise<DownloadedMedia>;
  isTransient(error: unknown): boolean;
}

export interface MediaWorkerSettings {
  enabled: boolean;
  maxAttempts: number;
  retryBaseMs: number;
  pollMs: number;
}

const LEASE_SEC = 120;
const BATCH = 4;

/**
 * Downloads media in the background (never inside a push): persisted jobs, claimed with a lease by any
 * instance, retried with exponential back-off, given up after `maxAttempts`. A given-up item is marked
 * failed and the inquiry goes out without it — the inquiry itself is never lost. Each channel app subclasses
 * it to inject its own vendor source and settings.
 */
export class ChannelMediaWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: PollingLoop;

  constructor(
    private readonly repository: ChannelMediaRepository,
    private readonly source: MediaSource,
    private readonly ingestor: MediaIngestor,
    private readonly conversation: ConversationService,
    private readonly dataSource: DataSource,
    private readonly settings: MediaWorkerSettings,
    private readonly logger: Logger,
  ) {
    this.loop = new PollingLoop(async () => (await this.runOnce()) >= BATCH, settings.pollMs, (error) =>
      this.logger.error({ err: String(error) }, 'media worker failed; will retry'),
    );
  }

  onApplicationBootstrap(): void {
    if (this.settings.enabled) this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Processes one batch of due jobs; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const jobs = await this.repository.claim(this.dataSource, BATCH, LEASE_SEC);
    await Promise.all(jobs.map((job) => this.process(job)));
    return jobs.length;
  }

  private async process(job: MediaJob): Promise<void> {
    try {
      const media = await this.source.downloadMedia(job.account, job.media_id);
      const attachment = await this.ingestor.ingest({ bytes: media.bytes, declaredType: media.contentType, kind: job.media_kind });
      await this.dataSource.transaction(async (m) => {
        await this.conversation.mediaReady(m, job.item_id, attachment);
        await this.repository.finish(m, job.id, 'done');
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const { maxAttempts, retryBaseMs } = this.settings;
      if (!isPermanentMediaError(error) && this.source.isTransient(error) && job.attempts < maxAttempts) {
        const delay = Math.min(retryBaseMs * 2 ** (job.attempts - 1), 10 * 60_000);
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
}
