import { randomBytes } from 'node:crypto';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectLogger, OutboxWriter, TOPICS } from '@app/common';
import { CodedError } from '@app/common/http/coded-error.js';
import { MediaPipeline } from '@app/common/media/media.pipeline.js';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import { Open311MediaRepository, type MediaJob } from './open311-media.repository.js';
import { MediaRefused, safeFetchToFile, type SafeFetchOptions } from './safe-fetch.js';

const LEASE_SECONDS = 300;

export type MediaOutcome = 'done' | 'refused' | 'retry' | 'failed';

/**
 * Fetches media_url after the request is committed (never on the request path): SSRF-safe download, the
 * common media pipeline, then the attachment joins the inquiry and an `InformationAdded` interaction tells
 * the router, in one transaction. Refusals end the job; transient failures retry with back-off, bounded.
 */
@Injectable()
export class Open311MediaWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  /** Tests stand in a resolver for names that resolve to private ranges; production resolves with the system's DNS. */
  resolve?: SafeFetchOptions['resolve'];

  constructor(
    private readonly db: DataSource,
    private readonly repository: Open311MediaRepository,
    private readonly media: MediaPipeline,
    private readonly outbox: OutboxWriter,
    @Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.env.OPEN311_MEDIA_WORKER) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Works through every due job; returns the outcomes (for tests and the loop). */
  async drain(): Promise<MediaOutcome[]> {
    const outcomes: MediaOutcome[] = [];
    for (let job = await this.repository.claim(LEASE_SECONDS); job && !this.stopped; job = await this.repository.claim(LEASE_SECONDS)) {
      outcomes.push(await this.process(job));
    }
    return outcomes;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .catch((error: unknown) => this.logger.error({ err: (error as Error).message }, 'open311 media worker failed'))
        .finally(() => {
          if (!this.stopped) this.schedule(this.config.env.OPEN311_MEDIA_POLL_MS);
        });
    }, delay);
    this.timer.unref();
  }

  private async process(job: MediaJob): Promise<MediaOutcome> {
    const env = this.config.env;
    await mkdir(env.UPLOAD_TMP_DIR, { recursive: true });
    const file = join(env.UPLOAD_TMP_DIR, `open311-${job.job_id}-${randomBytes(6).toString('hex')}`);
    let created: string[] = [];
    try {
      await safeFetchToFile(job.url, file, {
        allowLoopback: env.OPEN311_MEDIA_ALLOW_LOOPBACK,
        maxBytes: env.OPEN311_MEDIA_MAX_BYTES,
        timeoutMs: env.OPEN311_MEDIA_TIMEOUT_MS,
        resolve: this.resolve,
      });
      const stored = await this.media.ingestFile(file);
      created = stored.created;
      await this.db.transaction(async (manager) => {
        await this.repository.complete(manager, job.job_id, job.inquiry_id, stored.attachment);
        await this.outbox.append(manager, TOPICS.inquiryInteraction, 'InformationAdded', {
          inquiryId: job.inquiry_id,
          citizen: { channel: 'open311', externalUserId: job.citizen_ref },
          at: new Date().toISOString(),
          text: '',
          attachments: [stored.attachment],
        });
      });
      return 'done';
    } catch (error) {
      await this.media.discard(created);
      return this.fail(job, error);
    } finally {
      await unlink(file).catch(() => undefined);
    }
  }

  private async fail(job: MediaJob, error: unknown): Promise<MediaOutcome> {
    const reason = error instanceof Error ? error.message : String(error);
    // A refused address, an HTTP 4xx, an oversize or unsupported file: trying again would give the same answer.
    if (error instanceof MediaRefused || (error instanceof CodedError && error.kind !== 'unavailable')) {
      this.logger.warn({ jobId: job.job_id, reason }, 'open311 media_url refused');
      await this.repository.finish(job.job_id, 'refused', reason);
      return 'refused';
    }
    if (job.attempts >= this.config.env.OPEN311_MEDIA_MAX_ATTEMPTS) {
      this.logger.warn({ jobId: job.job_id, reason }, 'open311 media_url failed, giving up');
      await this.repository.finish(job.job_id, 'failed', reason);
      return 'failed';
    }
    await this.repository.retryLater(job.job_id, Math.min(3600, 5 * 2 ** job.attempts), reason);
    return 'retry';
  }
}
