import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { newId, OutboxWriter, TOPICS, type Location } from '@app/common';
import { CodedError } from '@app/common/http/coded-error.js';
import { MediaPipeline, sha256File, type StoredBatch } from '@app/common/media/media.pipeline.js';
import { DataSource } from 'typeorm';
import type { SignedIn } from '../accounts/auth.guard.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import { FollowUpTokens } from './follow-up-token.js';
import type { SubmitInquiryDto, SubmittedDto } from './inquiries.dto.js';
import { InquiriesRepository } from './inquiries.repository.js';
import { shanghaiDay } from './tracking-number.js';
import type { UploadedMedia } from './upload.js';

export interface Submission {
  answer: SubmittedDto;
  /** True when the answer is the stored one of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

type StoredResponse = Omit<SubmittedDto, 'followUpToken'>;

class KeyAlreadyClaimed extends Error {}

const ANONYMOUS_OWNER = 'anonymous';

/**
 * A citizen's submission: media first and the tracking number (outside the transaction), then the inquiry
 * and its `InquirySubmitted` outbox row in one transaction; the answer leaves only after the commit
 * (DESIGN rule 1). Objects stored for a submission that then fails are deleted.
 */
@Injectable()
export class InquiriesService {
  constructor(
    private readonly db: DataSource,
    private readonly repository: InquiriesRepository,
    private readonly outbox: OutboxWriter,
    private readonly media: MediaPipeline,
    private readonly followUp: FollowUpTokens,
    @Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig,
  ) {}

  async submit(input: SubmitInquiryDto, files: UploadedMedia, citizen?: SignedIn, idempotencyKey?: string): Promise<Submission> {
    const location = toLocation(input);
    const photos = files.photos ?? [];
    const videos = files.video ?? [];
    const owner = citizen?.accountId ?? ANONYMOUS_OWNER;
    const requestHash = idempotencyKey ? await fingerprint(input, [...photos, ...videos]) : '';
    if (idempotencyKey) {
      const earlier = await this.replay(owner, idempotencyKey, requestHash);
      if (earlier) return earlier;
    }

    const stored = await this.media.ingestAll([
      ...photos.map((f) => ({ path: f.path, expect: 'photo' as const })),
      ...videos.map((f) => ({ path: f.path, expect: 'video' as const })),
    ]);
    try {
      const answer = await this.record(input, location, stored, citizen, owner, idempotencyKey, requestHash);
      return { answer: this.withToken(answer, citizen), replayed: false };
    } catch (error) {
      if (error instanceof KeyAlreadyClaimed && idempotencyKey) {
        // A concurrent twin committed first. Its objects are content-addressed, the same as ours: keep them
        // (unless the twin turns out to be a different request, which is refused).
        const earlier = await this.replay(owner, idempotencyKey, requestHash).catch(async (refusal: unknown) => {
          await this.media.discard(stored.created);
          throw refusal;
        });
        if (earlier) return earlier;
      }
      await this.media.discard(stored.created);
      throw error;
    }
  }

  private async record(
    input: SubmitInquiryDto,
    location: Location | undefined,
    stored: StoredBatch,
    citizen: SignedIn | undefined,
    owner: string,
    idempotencyKey: string | undefined,
    requestHash: string,
  ): Promise<StoredResponse> {
    const inquiryId = newId();
    const receivedAt = new Date();
    const citizenRef = citizen ? citizen.accountId : `anon-${inquiryId}`;
    const anonymous = input.anonymous ?? true;
    const trackingNo = await this.repository.nextTrackingNo(shanghaiDay(receivedAt), this.config.env.TRACKING_PREFIX);
    return this.db.transaction(async (manager) => {
      if (idempotencyKey && !(await this.repository.claimKey(manager, owner, idempotencyKey, requestHash, inquiryId))) {
        throw new KeyAlreadyClaimed();
      }
      const row = {
        inquiryId,
        trackingNo,
        accountId: citizen?.accountId,
        citizenRef,
        typeHint: input.typeHint,
        title: input.title || undefined,
        content: input.content,
        location,
        anonymous,
        attachments: stored.attachments,
        receivedAt,
      };
      await this.repository.insertInquiry(manager, row);
      await this.outbox.append(manager, TOPICS.inquirySubmitted, 'InquirySubmitted', {
        inquiryId,
        trackingNo,
        channel: 'app',
        citizen: { channel: 'app', externalUserId: citizenRef, ...(citizen ? { account: citizen.accountId } : {}) },
        title: row.title,
        content: row.content,
        typeHint: row.typeHint,
        location,
        attachments: stored.attachments,
        anonymous,
        publicOrigin: false,
        receivedAt: receivedAt.toISOString(),
        vendorMessageIds: [],
      });
      const answer: StoredResponse = { inquiryId, trackingNo, receivedAt: receivedAt.toISOString(), attachments: stored.attachments.length };
      if (idempotencyKey) await this.repository.saveAnswer(manager, owner, idempotencyKey, answer);
      return answer;
    });
  }

  private async replay(owner: string, key: string, requestHash: string): Promise<Submission | undefined> {
    const earlier = await this.repository.findAnswer(owner, key);
    if (!earlier) return undefined;
    if (earlier.request_hash !== requestHash) {
      throw new CodedError('conflict', 'idempotency.key_reused', '此 Idempotency-Key 已用于另一份不同的提交，请为新的提交使用新的 Idempotency-Key。');
    }
    const answer = earlier.response as unknown as StoredResponse;
    const citizen = owner === ANONYMOUS_OWNER ? undefined : { accountId: owner };
    return { answer: this.withToken(answer, citizen), replayed: true };
  }

  private withToken(answer: StoredResponse, citizen: SignedIn | undefined): SubmittedDto {
    return citizen ? answer : { ...answer, followUpToken: this.followUp.issue(answer.inquiryId) };
  }
}

function toLocation(input: SubmitInquiryDto): Location | undefined {
  const { latitude, longitude, address } = input;
  if ((latitude === undefined) !== (longitude === undefined)) {
    throw new CodedError('invalid', 'inquiry.partial_coordinates', 'latitude 和 longitude 须同时提供或同时省略。');
  }
  if (latitude === undefined && !address) return undefined;
  return { latitude, longitude, address: address || undefined };
}

/** What makes two requests "the same": every field and the bytes of every file, in order. */
async function fingerprint(input: SubmitInquiryDto, files: Express.Multer.File[]): Promise<string> {
  const fields = [input.typeHint, input.title, input.content, input.latitude, input.longitude, input.address, input.anonymous ?? true];
  const hashes = await Promise.all(files.map((f) => sha256File(f.path)));
  return createHash('sha256').update(JSON.stringify([fields, files.map((f) => f.fieldname), hashes])).digest('hex');
}
