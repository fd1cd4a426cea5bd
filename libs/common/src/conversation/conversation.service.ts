import type { DataSource, EntityManager } from 'typeorm';
import type { InboundMessage, MediaKind } from '../channel/inbound-message.js';
import type { Attachment, Citizen, Channel, InquiryType } from '../contracts/common.schemas.js';
import { newId } from '../contracts/envelope.js';
import { transactionOpenedWith } from '../database/opened-transaction.js';
import type { Statement } from '../database/pipeline.js';
import type { Rating } from '../contracts/inquiry-interaction.v1.js';
import { TOPICS } from '../contracts/topics.js';
import type { OutboxWriter } from '../outbox/outbox.writer.js';
import { intentOf, submitsDraft, type DraftAddition, type Intent } from './conversation.engine.js';
import {
  citizenKey,
  ConversationRepository,
  type CaseChange,
  type CitizenKey,
  type DraftRow,
  type ItemRow,
  type Snapshot,
  type TrackingReservation,
} from './conversation.repository.js';
import { CASE_STATUS } from './case-status.js';
import { cleanLocation, contentOf, titleOf } from './conversation.content.js';
import { clip, mediaName, STATUS_NAMES, TEXTS } from './conversation.texts.js';
import { RecentSet } from './recent-set.js';

export interface ConversationSettings {
  channel: Channel;
  menuAskKey: string;
  menuQueryKey: string;
  trackingPrefix: string;
  quietSec: number;
  draftTtlHours: number;
  mediaWaitSec: number;
  activityThrottleSec: number;
}

/** A media item the channel must download (through its vendor API) and then report with `mediaReady`/`mediaFailed`. */
export interface MediaRequest {
  itemId: string;
  media: MediaKind;
  vendorMediaId: string;
  account: string;
}

export interface ConversationOutcome {
  /** The passive reply, or null to just acknowledge. */
  reply: string | null;
  media: MediaRequest[];
}

const MAX_ATTACHMENTS = 20;

/** Where an inquiry came from: a private conversation, or a public post (with its Weibo thread). */
interface Origin {
  publicOrigin: boolean;
  weiboThread?: { statusId: string; commentId?: string };
}
const PRIVATE: Origin = { publicOrigin: false };

/**
 * The channel-independent conversation that turns a citizen's messages into one inquiry (issue 4, point 5).
 * Channels call `handleAll` inside the transaction that records the push, so the draft, the events it implies
 * (outbox) and the de-duplication record commit together before the channel answers.
 */
export class ConversationService {
  private readonly recentlyReported: RecentSet;

  constructor(
    private readonly outbox: OutboxWriter,
    private readonly settings: ConversationSettings,
    private readonly repo = new ConversationRepository(),
  ) {
    this.recentlyReported = new RecentSet(settings.activityThrottleSec * 1000);
  }

  /**
   * Runs `work` in a transaction that holds the citizens' locks from its first statement on, so each citizen's
   * messages are handled one at a time (several photos sent at once must land in the same draft). BEGIN, the
   * locks, the channel's own `reads` and the citizens' snapshots take one round trip; `work` gets the rows of
   * `reads` and the snapshots, and then calls `handleAll`.
   */
  inCitizensTransaction<R>(
    dataSource: DataSource,
    messages: InboundMessage[],
    reads: Statement[],
    work: (m: EntityManager, readRows: unknown[][], snapshots: Map<string, Snapshot>) => Promise<R>,
  ): Promise<R> {
    const citizens = messages.map(citizenOf);
    // A citizen whose first message here is 提交 has the draft read ahead, so submitting waits for no answer.
    const firsts = new Map<string, InboundMessage>();
    for (const message of messages) {
      const key = citizenKey(citizenOf(message));
      if (!firsts.has(key)) firsts.set(key, message);
    }
    const submitting = [...firsts.values()].filter(submitsDraft).map(citizenOf);
    const ahead = submitting.length > 0 ? this.repo.draftsToSubmit(submitting) : [];
    const opening = [this.repo.lockCitizens(citizens), ...reads, this.repo.snapshotsOf(citizens), ...ahead];
    return transactionOpenedWith(dataSource, opening, (m, rows) => {
      const at = 1 + reads.length;
      const snapshots = this.repo.snapshotsFrom(rows[at]);
      if (ahead.length > 0) {
        for (const [key, submission] of this.repo.submissionsFrom(rows[at + 1], rows[at + 2])) {
          const snap = snapshots.get(key);
          if (snap?.draftId === submission.draft.id) snap.submission = submission;
        }
      }
      return work(m, rows.slice(1, at), snapshots);
    });
  }

  /**
   * Runs the conversation for each message, in order, inside `inCitizensTransaction` for their citizens, from
   * the snapshots it read; a citizen's later messages in the same batch read theirs again, since the earlier
   * ones changed it.
   */
  async handleAll(m: EntityManager, messages: InboundMessage[], snapshots: Map<string, Snapshot>): Promise<ConversationOutcome[]> {
    const unused = new Map(snapshots);
    const outcomes: ConversationOutcome[] = [];
    for (const message of messages) {
      const citizen = citizenOf(message);
      const key = citizenKey(citizen);
      const snap = unused.get(key) ?? (await this.repo.snapshots(m, [citizen])).get(key)!;
      unused.delete(key);
      outcomes.push(await this.handle(m, message, citizen, snap));
    }
    return outcomes;
  }

  private async handle(m: EntityManager, message: InboundMessage, citizen: CitizenKey, snap: Snapshot): Promise<ConversationOutcome> {
    await this.reportActivity(m, message, citizen);
    const intent = intentOf(
      message,
      { draftOpen: snap.draftId !== null, surveyPending: snap.surveyInquiryId !== null, infoRequested: snap.infoInquiryId !== null },
      this.settings,
    );
    const outcome: ConversationOutcome = { reply: null, media: [] };
    outcome.reply = await this.apply(m, intent, citizen, message, snap, outcome.media);
    return outcome;
  }

  private async apply(
    m: EntityManager,
    intent: Intent,
    citizen: CitizenKey,
    message: InboundMessage,
    snap: Snapshot,
    media: MediaRequest[],
  ): Promise<string | null> {
    const { draftId } = snap;
    switch (intent.type) {
      case 'none':
        return null;
      case 'welcome':
        return TEXTS.welcome;
      case 'help':
        return TEXTS.help;
      case 'open': {
        const id = newId();
        if (!intent.first) {
          await this.repo.createDraft(m, id, citizen, intent.typeHint);
          return TEXTS.opened;
        }
        const reply = await this.add(m, id, intent.first, message, media, { citizen, typeHint: intent.typeHint });
        return intent.first.kind === 'text' ? TEXTS.openedWithText(intent.first.text) : `${reply}\n${TEXTS.opened}`;
      }
      case 'add':
        return this.add(m, draftId!, intent.addition, message, media);
      case 'submit':
        if (!draftId) return TEXTS.nothingToSubmit;
        {
          // The clock may have submitted it (quiet period) while this message waited for the row.
          const ahead = snap.submission?.draft.id === draftId ? snap.submission : undefined;
          const { draft, items } = ahead ?? (await this.repo.lockedDraftWithItems(m, draftId));
          if (!draft) return TEXTS.nothingToSubmit;
          if (draft.status !== 'open') return TEXTS.submitted(draft.tracking_no ?? '');
          if (!contentOf(items)) return TEXTS.needText;
          return TEXTS.submitted(await this.submit(m, draft, items, PRIVATE, ahead?.reserved));
        }
      case 'cancel':
        if (!draftId) return TEXTS.nothingToCancel;
        await this.repo.setStatus(m, draftId, 'cancelled');
        return TEXTS.cancelled;
      case 'query':
        return this.listCases(m, citizen);
      case 'supplement':
        return this.supplement(m, citizen, intent.text, message);
      case 'answer_info':
        return this.answerInfo(m, citizen, snap.infoInquiryId!, intent.text, message);
      case 'rate':
        await this.rate(m, citizen, snap.surveyInquiryId!, intent.rating, message);
        return TEXTS.rated(intent.rating);
      case 'mention':
        await this.mention(m, citizen, intent);
        // No passive reply: the vendor allows one message after a mention and the case's answer needs it.
        return null;
    }
  }

  private async add(
    m: EntityManager,
    draftId: string,
    addition: DraftAddition,
    message: InboundMessage,
    media: MediaRequest[],
    create?: { citizen: CitizenKey; typeHint?: InquiryType },
  ): Promise<string> {
    const itemId = await this.repo.addItem(m, draftId, addition, { vendorMessageId: message.vendorMessageId, maxMedia: MAX_ATTACHMENTS, create });
    if (itemId === undefined) return TEXTS.tooManyAttachments;
    switch (addition.kind) {
      case 'text':
        return TEXTS.addedText;
      case 'location':
        return TEXTS.addedLocation(addition.address);
      case 'media':
        media.push({ itemId: itemId!, media: addition.media, vendorMediaId: addition.vendorMediaId, account: message.account });
        if (addition.media === 'voice' && !addition.recognition) return TEXTS.addedVoiceUnrecognised;
        return TEXTS.addedMedia(mediaName(addition.media));
    }
  }

  /** Gives the draft its tracking number at once; the event leaves now, or when its media settle (see `tick`). */
  private async submit(m: EntityManager, draft: DraftRow, items: ItemRow[], origin: Origin = PRIVATE, reserved?: TrackingReservation): Promise<string> {
    const sendNow = !items.some((i) => i.media_status === 'pending');
    const number = reserved ?? (await this.repo.reserveTrackingNumber(m));
    const done = await this.repo.submit(m, draft.id, this.settings.trackingPrefix, titleOf(contentOf(items)), sendNow, number);
    if (sendNow) await this.send(m, { ...draft, ...done }, items, false, origin);
    return done.tracking_no;
  }

  /**
   * A public @mention is an inquiry as it stands (its text is the post): a one-item draft, submitted and sent
   * in this transaction, marked public-origin and carrying its thread so the answer can go to the comments.
   * It also shows in the citizen's "查询" like any other case.
   */
  private async mention(m: EntityManager, citizen: CitizenKey, intent: Extract<Intent, { type: 'mention' }>): Promise<void> {
    const id = newId();
    const vendorMessageId = intent.thread.commentId ?? intent.thread.statusId;
    await this.repo.addItem(m, id, { kind: 'text', text: intent.text }, { vendorMessageId, maxMedia: MAX_ATTACHMENTS, create: { citizen } });
    const { draft, items } = await this.repo.lockedDraftWithItems(m, id);
    await this.submit(m, draft!, items, { publicOrigin: true, weiboThread: intent.thread });
  }

  private async send(m: EntityManager, draft: DraftRow, items: ItemRow[], markSent = true, origin: Origin = PRIVATE): Promise<void> {
    const content = contentOf(items);
    const location = [...items].reverse().find((i) => i.kind === 'location')?.location ?? undefined;
    await this.outbox.append(m, TOPICS.inquirySubmitted, 'InquirySubmitted', {
      inquiryId: draft.id,
      trackingNo: draft.tracking_no ?? undefined,
      channel: this.settings.channel,
      citizen: this.citizenOf(draft),
      title: titleOf(content),
      content: clip(content, 19000),
      typeHint: (draft.type_hint as InquiryType | null) ?? undefined,
      location: location ? cleanLocation(location) : undefined,
      attachments: items.flatMap((i) => (i.media_status === 'ready' && i.attachment ? [i.attachment] : [])).slice(0, MAX_ATTACHMENTS),
      anonymous: true,
      publicOrigin: origin.publicOrigin,
      ...(origin.weiboThread ? { weiboThread: origin.weiboThread } : {}),
      receivedAt: (draft.submitted_at ?? new Date()).toISOString(),
      vendorMessageIds: items.flatMap((i) => (i.vendor_message_id ? [i.vendor_message_id] : [])).slice(0, 100),
    });
    if (markSent) await this.repo.setStatus(m, draft.id, 'sent');
  }

  private async listCases(m: EntityManager, citizen: CitizenKey): Promise<string> {
    const cases = await this.repo.recentCases(m, citizen);
    if (cases.length === 0) return TEXTS.noCases;
    return TEXTS.caseList(
      cases.map((c) => `${c.tracking_no}【${STATUS_NAMES[c.status] ?? c.status}】${clip(c.title, 16)}`),
    );
  }

  private async supplement(m: EntityManager, citizen: CitizenKey, text: string, message: InboundMessage): Promise<string> {
    if (!text) return TEXTS.supplementEmpty;
    const open = await this.repo.latestOpenCase(m, citizen);
    if (!open) return TEXTS.noOpenCase;
    await this.outbox.append(m, TOPICS.inquiryInteraction, 'InformationAdded', {
      inquiryId: open.inquiry_id,
      citizen: this.citizenOf({ channel: citizen.channel, account: citizen.account, user_id: citizen.userId }),
      at: message.sentAt.toISOString(),
      text: clip(text, 4900),
      attachments: [],
    });
    return TEXTS.supplementAdded(open.tracking_no);
  }

  private async answerInfo(m: EntityManager, citizen: CitizenKey, inquiryId: string, text: string, message: InboundMessage): Promise<string> {
    const found = await this.repo.caseById(m, inquiryId);
    await this.repo.updateCase(m, inquiryId, { infoRequested: false });
    await this.outbox.append(m, TOPICS.inquiryInteraction, 'InformationAdded', {
      inquiryId,
      citizen: this.citizenOf({ channel: citizen.channel, account: citizen.account, user_id: citizen.userId }),
      at: message.sentAt.toISOString(),
      text: clip(text, 4900),
      attachments: [],
    });
    return TEXTS.infoAnswered(found?.tracking_no ?? '');
  }

  private async rate(m: EntityManager, citizen: CitizenKey, inquiryId: string, rating: Rating, message: InboundMessage): Promise<void> {
    await this.repo.updateCase(m, inquiryId, { surveyPending: false });
    await this.outbox.append(m, TOPICS.inquiryInteraction, 'RatingGiven', {
      inquiryId,
      citizen: this.citizenOf({ channel: citizen.channel, account: citizen.account, user_id: citizen.userId }),
      at: message.sentAt.toISOString(),
      rating,
    });
  }

  /**
   * Every deliberate act of the citizen opens the vendor's reply window (WeChat: 48 h); the notifier learns it
   * from ChannelActivity. Reports are throttled per citizen, so the notifier's idea of the window's end is at
   * most `activityThrottleSec` early, never late.
   */
  private async reportActivity(m: EntityManager, message: InboundMessage, citizen: CitizenKey): Promise<void> {
    const body = message.body;
    if (body.kind === 'unfollow') return this.repo.setFollowing(m, citizen, false);
    if (body.kind === 'ignored' && !body.citizenAction) return;
    if (body.kind === 'mention') {
      // Never throttled: a mention opens a different window (one reply) than a private message does.
      await this.outbox.append(m, TOPICS.inquiryInteraction, 'ChannelActivity', {
        citizen: this.citizenOf({ channel: citizen.channel, account: citizen.account, user_id: citizen.userId }),
        at: message.sentAt.toISOString(),
        kind: 'mention',
      });
      return;
    }
    const following = body.kind === 'follow' ? true : null;
    const key = citizenKey(citizen);
    // This instance reported it moments ago: the database would say the same, skip the statement.
    if (following === null && this.recentlyReported.fresh(key)) return;
    // The throttle is the database's (instances share it); the event is written only when it lets it through,
    // in the same statement, which waits for the transaction's next one.
    await this.outbox.append(
      m,
      TOPICS.inquiryInteraction,
      'ChannelActivity',
      { citizen: this.citizenOf({ channel: citizen.channel, account: citizen.account, user_id: citizen.userId }), at: message.sentAt.toISOString() },
      {
        onlyIf: this.repo.activityDue(citizen, this.settings.activityThrottleSec, following),
        written: (reported) => {
          if (reported) this.recentlyReported.mark(key);
        },
      },
    );
  }

  /** A downloaded attachment; after the inquiry already left, it follows as InformationAdded. */
  async mediaReady(m: EntityManager, itemId: string, attachment: Attachment): Promise<void> {
    const item = await this.repo.item(m, itemId);
    if (!item || item.media_status !== 'pending') return;
    // The draft's row lock orders this with `tick` sending the draft: either the event carries the attachment
    // or the draft is already sent and the attachment follows as InformationAdded, never neither.
    const draft = await this.repo.draft(m, item.draft_id, true);
    await this.repo.setMedia(m, itemId, 'ready', attachment);
    if (draft?.status !== 'sent') return;
    await this.outbox.append(m, TOPICS.inquiryInteraction, 'InformationAdded', {
      inquiryId: draft.id,
      citizen: this.citizenOf(draft),
      at: new Date().toISOString(),
      text: '',
      attachments: [attachment],
    });
  }

  async mediaFailed(m: EntityManager, itemId: string): Promise<void> {
    const item = await this.repo.item(m, itemId);
    if (item?.media_status === 'pending') await this.repo.setMedia(m, itemId, 'failed');
  }

  /**
   * The clock of the conversation, run by every instance (rows are claimed with SKIP LOCKED): sends submitted
   * drafts whose media are settled, submits drafts quiet for `quietSec`, expires drafts still open after `draftTtlHours`.
   */
  async tick(dataSource: DataSource): Promise<number> {
    return dataSource.transaction(async (m) => {
      let done = 0;
      for (const draft of await this.repo.quietDrafts(m, this.settings.quietSec, this.settings.draftTtlHours)) {
        // A message of this citizen is being handled right now: the draft is not quiet after all. Holding the
        // lock otherwise makes a message arriving now wait, then find the draft submitted.
        if (!(await this.repo.tryLockCitizen(m, { channel: draft.channel, account: draft.account, userId: draft.user_id }))) continue;
        const items = await this.repo.items(m, draft.id);
        if (contentOf(items)) await this.submit(m, draft, items);
        else await this.repo.setStatus(m, draft.id, 'expired');
        done++;
      }
      for (const draft of await this.repo.draftsReadyToSend(m, this.settings.mediaWaitSec)) {
        await this.send(m, draft, await this.repo.items(m, draft.id));
        done++;
      }
      return done;
    });
  }

  /**
   * The case events that can change this channel's copy of a case: a type that moves its status, of a case submitted
   * through this channel. A channel app reads every case event of every channel; the rest it need not even record.
   */
  async relevantCaseEvents<E extends { type: string; payload: { inquiryId: string } }>(m: Pick<EntityManager, 'query'>, events: E[]): Promise<E[]> {
    const moving = events.filter((e) => CASE_STATUS[e.type]);
    const ours = await this.repo.ownCases(m, [...new Set(moving.map((e) => e.payload.inquiryId))]);
    return moving.filter((e) => ours.has(e.payload.inquiryId));
  }

  /**
   * Follows cases' lives from a batch of case.events.v1, in one statement: each case's changes are merged in
   * event order (a later event's fields win). Only cases this channel submitted are known here.
   */
  async applyCaseEvents(m: EntityManager, events: { inquiryId: string; type: string }[]): Promise<void> {
    const merged = new Map<string, CaseChange>();
    for (const { inquiryId, type } of events) {
      const next = CASE_STATUS[type];
      if (next) merged.set(inquiryId, { ...merged.get(inquiryId), ...next });
    }
    await this.repo.updateCases(m, [...merged].map(([inquiryId, change]) => ({ inquiryId, ...change })));
  }

  private citizenOf(draft: Pick<DraftRow, 'channel' | 'account' | 'user_id'>): Citizen {
    return { channel: draft.channel as Channel, externalUserId: draft.user_id, account: draft.account };
  }
}

const citizenOf = (message: InboundMessage): CitizenKey => ({
  channel: message.channel,
  account: message.account,
  userId: message.userId,
});
