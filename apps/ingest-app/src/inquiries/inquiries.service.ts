import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { newId, OutboxWriter, TOPICS, type Attachment, type Channel, type InquiryType, type Location } from '@app/common';
import { CodedError } from '@app/common/http/coded-error.js';
import { SharedTransactions } from '@app/common/database/shared-transactions.js';
import { MediaPipeline, sha256File } from '@app/common/media/media.pipeline.js';
import { DataSource, type EntityManager } from 'typeorm';
import type { SignedIn } from '../accounts/auth.guard.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import { FollowUpTokens } from './follow-up-token.js';
import type { SubmitInquiryDto, SubmittedDto } from './inquiries.dto.js';
import { InquiriesRepository } from './inquiries.repository.js';
import { formatTrackingNo, shanghaiDay, TrackingSequence } from './tracking-number.js';
import type { UploadedMedia } from './upload.js';

export interface Submission {
  answer: SubmittedDto;
  /** True when the answer is the stored one of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

export type StoredResponse = Omit<SubmittedDto, 'followUpToken'>;

/** What a channel hands to the durable submission path: the inquiry as the platform sees it, media already stored. */
export interface InquiryDraft {
  channel: Channel;
  accountId?: string;
  title?: string;
  content: string;
  typeHint?: InquiryType;
  location?: Location;
  anonymous: boolean;
  attachments: Attachment[];
}

/** Who may replay whose answers (`owner`), the client's key, and the fingerprint that makes two requests "the same". */
export interface IdempotencyClaim {
  owner: string;
  key: string;
  requestHash: string;
}

/** Extra rows a channel writes in the submission's own transaction (e.g. its vendor request record). */
export type WithinSubmission = (manager: EntityManager, recorded: StoredResponse) => Promise<void>;

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

  private readonly trackingSequence = new TrackingSequence((day, count) => this.repository.reserveTrackingNumbers(day, count));
  private readonly commits = new SharedTransactions(this.db);

  async submit(input: SubmitInquiryDto, files: UploadedMedia, citizen?: SignedIn, idempotencyKey?: string): Promise<Submission> {
    const location = toLocation(input);
    const photos = files.photos ?? [];
    const videos = files.video ?? [];
    const owner = citizen?.accountId ?? ANONYMOUS_OWNER;
    const requestHash = idempotencyKey ? await fingerprint(input, [...photos, ...videos]) : '';
    if (idempotencyKey) {
      const earlier = await this.replay({ owner, key: idempotencyKey, requestHash });
      if (earlier) return { answer: this.withToken(earlier, citizen), replayed: true };
    }

    const stored = await this.media.ingestAll([
      ...photos.map((f) => ({ path: f.path, expect: 'photo' as const })),
      ...videos.map((f) => ({ path: f.path, expect: 'video' as const })),
    ]);
    const draft: InquiryDraft = {
      channel: 'app',
      accountId: citizen?.accountId,
      typeHint: input.typeHint,
      title: input.title || undefined,
      content: input.content,
      location,
      anonymous: input.anonymous ?? true,
      attachments: stored.attachments,
    };
    const claim = idempotencyKey ? { owner, key: idempotencyKey, requestHash } : undefined;
    try {
      const { answer, replayed } = await this.recordDraft(draft, claim);
      return { answer: this.withToken(answer, owner === ANONYMOUS_OWNER ? undefined : { accountId: owner }), replayed };
    } catch (error) {
      // Objects are content-addressed: a replayed twin references the same keys, so they stay (see recordDraft).
      await this.media.discard(stored.created);
      throw error;
    }
  }

  /**
   * The durable path every channel of this app shares: tracking number, then the inquiry row, the channel's
   * own rows (`within`) and the `InquirySubmitted` outbox row in one transaction, answered after the commit.
   * With a claim, a retry (sequential or concurrent) gets the first answer back with `replayed: true`.
   */
  async recordDraft(draft: InquiryDraft, claim?: IdempotencyClaim, within?: WithinSubmission): Promise<{ answer: StoredResponse; replayed: boolean }> {
    if (claim) {
      const earlier = await this.replay(claim);
      if (earlier) return { answer: earlier, replayed: true };
    }
    try {
      return { answer: await this.record(draft, claim, within), replayed: false };
    } catch (error) {
      if (!(error instanceof KeyAlreadyClaimed) || !claim) throw error;
      // A concurrent twin committed first (or it was a different request, which replay refuses).
      const earlier = await this.replay(claim);
      if (!earlier) throw error;
      return { answer: earlier, replayed: true };
    }
  }

  private async record(draft: InquiryDraft, claim: IdempotencyClaim | undefined, within?: WithinSubmission): Promise<StoredResponse> {
    const inquiryId = newId();
    const receivedAt = new Date();
    const citizenRef = draft.accountId ?? `anon-${inquiryId}`;
    const day = shanghaiDay(receivedAt);
    const trackingNo = formatTrackingNo(this.config.env.TRACKING_PREFIX, day, await this.trackingSequence.next(day));
    // BEGIN and the writes travel with the idempotency claim or with the COMMIT (leanTransaction, writeBehind): without
    // a key the whole submission is one round trip, shared with the submissions that arrived meanwhile (SharedTransactions).
    return this.commits.run(async (manager) => {
      if (claim && !(await this.repository.claimKey(manager, claim.owner, claim.key, claim.requestHash, inquiryId))) {
        throw new KeyAlreadyClaimed();
      }
      await this.repository.insertInquiry(manager, { ...draft, inquiryId, trackingNo, citizenRef, receivedAt });
      const answer: StoredResponse = { inquiryId, trackingNo, receivedAt: receivedAt.toISOString(), attachments: draft.attachments.length };
      if (within) await within(manager, answer);
      await this.outbox.append(manager, TOPICS.inquirySubmitted, 'InquirySubmitted', {
        inquiryId,
        trackingNo,
        channel: draft.channel,
        citizen: { channel: draft.channel, externalUserId: citizenRef, ...(draft.accountId ? { account: draft.accountId } : {}) },
        title: draft.title,
        content: draft.content,
        typeHint: draft.typeHint,
        location: draft.location,
        attachments: draft.attachments,
        anonymous: draft.anonymous,
        publicOrigin: false,
        receivedAt: receivedAt.toISOString(),
        vendorMessageIds: [],
      });
      if (claim) await this.repository.saveAnswer(manager, claim.owner, claim.key, answer);
      return answer;
    });
  }

  private async replay(claim: IdempotencyClaim): Promise<StoredResponse | undefined> {
    const earlier = await this.repository.findAnswer(claim.owner, claim.key);
    if (!earlier) return undefined;
    if (earlier.request_hash !== claim.requestHash) {
      throw new CodedError('conflict', 'idempotency.key_reused', '此 Idempotency-Key 已用于另一份不同的提交，请为新的提交使用新的 Idempotency-Key。');
    }
    return earlier.response as unknown as StoredResponse;
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
