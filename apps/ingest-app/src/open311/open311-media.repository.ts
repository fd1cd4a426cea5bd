import { Injectable } from '@nestjs/common';
import type { Attachment } from '@app/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface MediaJob {
  job_id: string;
  inquiry_id: string;
  url: string;
  attempts: number;
  citizen_ref: string;
}

/** media_url fetch jobs: rows, so a restarted app finds every pending fetch (DESIGN rule 5). */
@Injectable()
export class Open311MediaRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Takes the oldest due job, leasing it: if this process dies mid-fetch, the job is due again when the
   * lease ends. SKIP LOCKED lets several instances work side by side.
   */
  async claim(leaseSeconds: number): Promise<MediaJob | undefined> {
    const [rows] = await this.db.query(
      `UPDATE open311_media_jobs j SET attempts = j.attempts + 1, next_attempt_at = now() + make_interval(secs => $1)
        FROM inquiries i
        WHERE j.job_id = (SELECT job_id FROM open311_media_jobs WHERE state = 'pending' AND next_attempt_at <= now()
                           ORDER BY next_attempt_at, job_id LIMIT 1 FOR UPDATE SKIP LOCKED)
          AND i.inquiry_id = j.inquiry_id
        RETURNING j.job_id, j.inquiry_id, j.url, j.attempts, i.citizen_ref`,
      [leaseSeconds],
    );
    return (rows as MediaJob[])[0];
  }

  async complete(manager: EntityManager, jobId: string, inquiryId: string, attachment: Attachment): Promise<void> {
    await manager.query(
      `UPDATE open311_media_jobs SET state = 'done', attachment = $2, finished_at = now(), last_error = NULL WHERE job_id = $1`,
      [jobId, JSON.stringify(attachment)],
    );
    await manager.query(`UPDATE inquiries SET attachments = attachments || $2::jsonb WHERE inquiry_id = $1`, [inquiryId, JSON.stringify([attachment])]);
  }

  async finish(jobId: string, state: 'refused' | 'failed', reason: string): Promise<void> {
    await this.db.query(`UPDATE open311_media_jobs SET state = $2, last_error = $3, finished_at = now() WHERE job_id = $1`, [jobId, state, reason.slice(0, 500)]);
  }

  async retryLater(jobId: string, delaySeconds: number, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE open311_media_jobs SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE job_id = $1`,
      [jobId, delaySeconds, reason.slice(0, 500)],
    );
  }
}
