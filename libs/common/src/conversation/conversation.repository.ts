import type { EntityManager } from 'typeorm';
import type { Attachment, Location } from '../contracts/common.schemas.js';
import { readTogether, writeBehind } from '../database/opened-transaction.js';
import type { Statement } from '../database/pipeline.js';
import type { DraftAddition } from './conversation.engine.js';

export interface CitizenKey {
  channel: string;
  account: string;
  userId: string;
}

export interface DraftRow {
  id: string;
  channel: string;
  account: string;
  user_id: string;
  type_hint: string | null;
  tracking_no: string | null;
  status: string;
  submitted_at: Date | null;
}

export interface ItemRow {
  id: string;
  draft_id: string;
  kind: 'text' | 'media' | 'location';
  text: string | null;
  location: Location | null;
  media_kind: string | null;
  media_status: 'pending' | 'ready' | 'failed' | null;
  attachment: Attachment | null;
  vendor_message_id: string | null;
}

export interface CaseRow {
  inquiry_id: string;
  tracking_no: string;
  title: string;
  status: string;
  submitted_at: Date;
}

/** How a case event moves the channel's copy of a case; absent fields stay as they are. */
export interface CaseChange {
  status?: string;
  surveyPending?: boolean;
  infoRequested?: boolean;
}

/** What the conversation needs to know about a citizen before it reads a message. */
export interface Snapshot {
  draftId: string | null;
  surveyInquiryId: string | null;
  infoInquiryId: string | null;
  /** Read ahead when the message submits: the open draft, locked, its items and a reserved tracking number. */
  submission?: Submission;
}

/** An open draft read ahead for submitting it (`draftsToSubmit`). */
export interface Submission {
  draft: DraftRow;
  items: ItemRow[];
  reserved: TrackingReservation;
}

/** A tracking number's parts taken ahead, and the transaction's time (`now()`, the same all through it). */
export interface TrackingReservation {
  seq: string;
  /** YYYYMMDD, Beijing date of `now`. */
  day: string;
  now: Date;
}

interface SnapshotRow {
  channel: string;
  account: string;
  user_id: string;
  draft_id: string | null;
  survey_inquiry_id: string | null;
  info_inquiry_id: string | null;
}

const DRAFT = 'SELECT * FROM conv_drafts WHERE id = $1';
const DRAFT_LOCKED = `${DRAFT} FOR UPDATE`;
const ITEMS_OF_DRAFT = 'SELECT * FROM conv_draft_items WHERE draft_id = $1 ORDER BY id';
const toItems = (rows: unknown[]): ItemRow[] => (rows as ItemRow[]).map((r) => ({ ...r, id: String(r.id) }));

export const citizenKey = (c: CitizenKey): string => `${c.channel}:${c.account}:${c.userId}`;
const who = (c: CitizenKey): string[] => [c.channel, c.account, c.userId];
/** The first key of the citizens' advisory locks ("wzcv"): the two-key lock space is apart from one-key locks. */
const LOCK_CLASS = 0x777a6376;

/** A citizen's lock key (FNV-1a of the citizen), in the two-key lock space under LOCK_CLASS. */
export function citizenLockKey(c: CitizenKey): number {
  const text = `${c.channel}\u0000${c.account}\u0000${c.userId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** The SQL of the conversation tables (ConversationTables migration); every call runs in the caller's transaction. */
export class ConversationRepository {
  /**
   * The statement that serialises each citizen's messages (several photos sent at once must land in the same
   * draft). The locks are taken in one order everywhere, so two transactions locking several citizens never
   * deadlock.
   */
  lockCitizens(citizens: CitizenKey[]): Statement {
    const keys = [...new Set(citizens.map(citizenLockKey))].sort((a, b) => a - b);
    return {
      text: 'SELECT count(pg_advisory_xact_lock($1, k)) FROM (SELECT unnest($2::int[]) AS k ORDER BY 1) AS keys',
      values: [LOCK_CLASS, keys],
    };
  }

  async tryLockCitizen(m: EntityManager, c: CitizenKey): Promise<boolean> {
    const [row] = await m.query('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', [LOCK_CLASS, citizenLockKey(c)]);
    return row.locked;
  }

  /** Each citizen's open draft and pending survey/information request, in one statement (see `snapshotsFrom`). */
  snapshotsOf(citizens: CitizenKey[]): Statement {
    return {
      text: `SELECT c.channel, c.account, c.user_id,
                (SELECT id FROM conv_drafts d WHERE (d.channel, d.account, d.user_id) = (c.channel, c.account, c.user_id)
                   AND d.status = 'open') AS draft_id,
                (SELECT inquiry_id FROM conv_cases k WHERE (k.channel, k.account, k.user_id) = (c.channel, c.account, c.user_id)
                   AND k.survey_pending ORDER BY k.updated_at DESC LIMIT 1) AS survey_inquiry_id,
                (SELECT inquiry_id FROM conv_cases k WHERE (k.channel, k.account, k.user_id) = (c.channel, c.account, c.user_id)
                   AND k.info_requested ORDER BY k.updated_at DESC LIMIT 1) AS info_inquiry_id
           FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[])) AS c (channel, account, user_id)`,
      values: [citizens.map((c) => c.channel), citizens.map((c) => c.account), citizens.map((c) => c.userId)],
    };
  }

  /** The rows of `snapshotsOf`, keyed by `citizenKey`. */
  snapshotsFrom(rows: unknown[]): Map<string, Snapshot> {
    return new Map(
      (rows as SnapshotRow[]).map((r) => [
        citizenKey({ channel: r.channel, account: r.account, userId: r.user_id }),
        { draftId: r.draft_id, surveyInquiryId: r.survey_inquiry_id, infoInquiryId: r.info_inquiry_id },
      ]),
    );
  }

  /**
   * For citizens whose message submits: their open drafts, locked (as `lockedDraftWithItems` does), each with a
   * tracking number taken from the sequence, then the drafts' items; two statements for the transaction's
   * opening, read by `submissionsFrom`. A number taken for a draft that is then not submitted (no text yet) is
   * a gap, as a rolled-back transaction leaves one.
   */
  draftsToSubmit(citizens: CitizenKey[]): Statement[] {
    const open = `(d.channel, d.account, d.user_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[])) AND d.status = 'open'`;
    const values = [citizens.map((c) => c.channel), citizens.map((c) => c.account), citizens.map((c) => c.userId)];
    return [
      {
        text: `SELECT d.*, nextval('conv_tracking_seq')::text AS reserved_seq,
                      to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') AS reserved_day, now() AS reserved_at
                 FROM conv_drafts d WHERE ${open} FOR UPDATE`,
        values,
      },
      { text: `SELECT i.* FROM conv_draft_items i JOIN conv_drafts d ON d.id = i.draft_id WHERE ${open} ORDER BY i.id`, values },
    ];
  }

  /** The rows of `draftsToSubmit`, keyed by `citizenKey`. */
  submissionsFrom(draftRows: unknown[], itemRows: unknown[]): Map<string, Submission> {
    const items = toItems(itemRows);
    return new Map(
      (draftRows as (DraftRow & { reserved_seq: string; reserved_day: string; reserved_at: Date })[]).map(
        ({ reserved_seq, reserved_day, reserved_at, ...draft }) => [
          citizenKey({ channel: draft.channel, account: draft.account, userId: draft.user_id }),
          { draft, items: items.filter((i) => i.draft_id === draft.id), reserved: { seq: reserved_seq, day: reserved_day, now: reserved_at } },
        ],
      ),
    );
  }

  async snapshots(m: EntityManager, citizens: CitizenKey[]): Promise<Map<string, Snapshot>> {
    const { text, values } = this.snapshotsOf(citizens);
    return this.snapshotsFrom(await m.query(text, values));
  }

  async createDraft(m: EntityManager, id: string, c: CitizenKey, typeHint?: string): Promise<void> {
    await m.query(`INSERT INTO conv_drafts (id, channel, account, user_id, status, type_hint) VALUES ($1, $2, $3, $4, 'open', $5)`, [
      id,
      ...who(c),
      typeHint ?? null,
    ]);
  }

  /**
   * Adds an item and marks the draft active (the quiet period restarts), or creates the draft with it as its
   * first item; one statement either way. Media items answer their id (the download reports to it), or
   * undefined when the item would pass `maxMedia`; text and locations answer null: nothing reads their id, so
   * their statement is written behind (`writeBehind`).
   */
  async addItem(
    m: EntityManager,
    draftId: string,
    addition: DraftAddition,
    options: { vendorMessageId?: string; maxMedia: number; create?: { citizen: CitizenKey; typeHint?: string } },
  ): Promise<string | null | undefined> {
    const values =
      addition.kind === 'text'
        ? ['text', addition.text, null, null, null]
        : addition.kind === 'location'
          ? ['location', null, JSON.stringify({ latitude: addition.latitude, longitude: addition.longitude, address: addition.address }), null, null]
          : ['media', addition.recognition ?? null, null, addition.media, 'pending'];
    const item = `INSERT INTO conv_draft_items (draft_id, kind, text, location, media_kind, media_status, vendor_message_id)
                  SELECT $1, $2::text, $3::text, $4::jsonb, $5::text, $6::text, $7::text`;
    const params = [draftId, ...values, options.vendorMessageId ?? null];
    const create = options.create;
    const statement = create
      ? {
          text: `WITH d AS (INSERT INTO conv_drafts (id, channel, account, user_id, status, type_hint)
                            VALUES ($1, $8, $9, $10, 'open', $11) RETURNING id)
                 ${item} FROM d RETURNING id`,
          values: [...params, ...who(create.citizen), create.typeHint ?? null],
        }
      : {
          text: `WITH touched AS (UPDATE conv_drafts SET last_activity_at = now() WHERE id = $1)
                 ${item}
                  WHERE $2 <> 'media' OR (SELECT count(*) FROM conv_draft_items WHERE draft_id = $1 AND kind = 'media') < $8::int
                 RETURNING id`,
          values: [...params, options.maxMedia],
        };
    if (addition.kind !== 'media') {
      await writeBehind(m, statement);
      return null;
    }
    const rows: { id: string }[] = await m.query(statement.text, statement.values);
    return rows[0] ? String(rows[0].id) : undefined;
  }

  async draft(m: EntityManager, id: string, lock = false): Promise<DraftRow | undefined> {
    const [row] = await m.query(lock ? DRAFT_LOCKED : DRAFT, [id]);
    return row;
  }

  async items(m: EntityManager, draftId: string): Promise<ItemRow[]> {
    return toItems(await m.query(ITEMS_OF_DRAFT, [draftId]));
  }

  /** The draft, locked, and its items, in one round trip (`readTogether`). */
  async lockedDraftWithItems(m: EntityManager, draftId: string): Promise<{ draft: DraftRow | undefined; items: ItemRow[] }> {
    const [drafts, items] = await readTogether(m, [
      { text: DRAFT_LOCKED, values: [draftId] },
      { text: ITEMS_OF_DRAFT, values: [draftId] },
    ]);
    return { draft: drafts[0] as DraftRow | undefined, items: toItems(items) };
  }

  async item(m: EntityManager, id: string): Promise<ItemRow | undefined> {
    const [row] = await m.query(`SELECT * FROM conv_draft_items WHERE id = $1 FOR UPDATE`, [id]);
    return row ? { ...row, id: String(row.id) } : undefined;
  }

  async setMedia(m: EntityManager, itemId: string, status: 'ready' | 'failed', attachment?: Attachment): Promise<void> {
    await m.query(`UPDATE conv_draft_items SET media_status = $2, attachment = $3 WHERE id = $1`, [
      itemId,
      status,
      attachment ? JSON.stringify(attachment) : null,
    ]);
  }

  /** A tracking number's parts for a submit that was not read ahead with its batch (`draftsToSubmit`). */
  async reserveTrackingNumber(m: EntityManager): Promise<TrackingReservation> {
    const [row] = await m.query(
      `SELECT nextval('conv_tracking_seq')::text AS seq, to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') AS day, now() AS now`,
    );
    return row;
  }

  /**
   * Submits the draft in one statement, written behind (nothing waits for it): the tracking number made of the
   * `reserved` parts, the status (`sent` when the event goes out in this same transaction), and the citizen's case
   * row for "查询".
   */
  async submit(
    m: EntityManager,
    draftId: string,
    prefix: string,
    title: string,
    sendNow: boolean,
    reserved: TrackingReservation,
  ): Promise<{ tracking_no: string; submitted_at: Date }> {
    const trackingNo = `${prefix}${reserved.day}-${reserved.seq.padStart(6, '0')}`;
    await writeBehind(m, {
      text: `WITH d AS (
               UPDATE conv_drafts
                  SET status = CASE WHEN $4 THEN 'sent' ELSE 'submitted' END, tracking_no = $2, submitted_at = now(),
                      sent_at = CASE WHEN $4 THEN now() END
                WHERE id = $1
                RETURNING id, channel, account, user_id, tracking_no, submitted_at)
             INSERT INTO conv_cases (inquiry_id, tracking_no, channel, account, user_id, title, status, submitted_at)
             SELECT id, tracking_no, channel, account, user_id, $3, 'submitted', submitted_at FROM d`,
      values: [draftId, trackingNo, title, sendNow],
    });
    return { tracking_no: trackingNo, submitted_at: reserved.now };
  }

  async setStatus(m: EntityManager, draftId: string, status: 'cancelled' | 'expired' | 'sent'): Promise<void> {
    await writeBehind(m, { text: `UPDATE conv_drafts SET status = $2${status === 'sent' ? ', sent_at = now()' : ''} WHERE id = $1`, values: [draftId, status] });
  }

  async recentCases(m: EntityManager, c: CitizenKey, limit = 5): Promise<CaseRow[]> {
    return m.query(
      `SELECT inquiry_id, tracking_no, title, status, submitted_at FROM conv_cases
        WHERE channel = $1 AND account = $2 AND user_id = $3 ORDER BY submitted_at DESC LIMIT $4`,
      [...who(c), limit],
    );
  }

  async latestOpenCase(m: EntityManager, c: CitizenKey): Promise<CaseRow | undefined> {
    const [row] = await m.query(
      `SELECT inquiry_id, tracking_no, title, status, submitted_at FROM conv_cases
        WHERE channel = $1 AND account = $2 AND user_id = $3 AND status NOT IN ('closed', 'rejected', 'merged')
        ORDER BY submitted_at DESC LIMIT 1`,
      who(c),
    );
    return row;
  }

  async caseById(m: EntityManager, inquiryId: string): Promise<(CaseRow & CitizenKey) | undefined> {
    const [row] = await m.query(
      `SELECT inquiry_id, tracking_no, title, status, submitted_at, channel, account, user_id AS "userId"
         FROM conv_cases WHERE inquiry_id = $1 FOR UPDATE`,
      [inquiryId],
    );
    return row;
  }

  async updateCase(m: EntityManager, inquiryId: string, change: CaseChange): Promise<void> {
    await this.updateCases(m, [{ inquiryId, ...change }]);
  }

  /** Which of these cases were submitted through this channel (the others' events mean nothing here). */
  async ownCases(m: Pick<EntityManager, 'query'>, inquiryIds: string[]): Promise<Set<string>> {
    if (inquiryIds.length === 0) return new Set();
    const rows: { inquiry_id: string }[] = await m.query(`SELECT inquiry_id FROM conv_cases WHERE inquiry_id = ANY($1::text[])`, [
      inquiryIds,
    ]);
    return new Set(rows.map((r) => r.inquiry_id));
  }

  /** Several cases in one statement (`writeBehind`); cases not submitted through this channel are simply not there. */
  async updateCases(m: EntityManager, changes: (CaseChange & { inquiryId: string })[]): Promise<void> {
    if (changes.length === 0) return;
    await writeBehind(m, {
      text: `UPDATE conv_cases k SET status = coalesce(x.status, k.status), survey_pending = coalesce(x.survey, k.survey_pending),
              info_requested = coalesce(x.info, k.info_requested), updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[]) AS x (inquiry_id, status, survey, info)
        WHERE k.inquiry_id = x.inquiry_id`,
      values: [
        changes.map((c) => c.inquiryId),
        changes.map((c) => c.status ?? null),
        changes.map((c) => c.surveyPending ?? null),
        changes.map((c) => c.infoRequested ?? null),
      ],
    });
  }

  /**
   * Records the citizen's activity and returns a row when it should be reported now: first time, or the last
   * report is older than the throttle (a statement for `OutboxWriter.append`'s condition).
   */
  activityDue(c: CitizenKey, throttleSec: number, following: boolean | null): Statement {
    return {
      text: `INSERT INTO conv_citizens (channel, account, user_id, following, activity_reported_at) VALUES ($1, $2, $3, coalesce($5::boolean, true), now())
             ON CONFLICT (channel, account, user_id) DO UPDATE
               SET activity_reported_at = now(), following = coalesce($5::boolean, conv_citizens.following)
             WHERE conv_citizens.activity_reported_at < now() - make_interval(secs => $4) OR $5::boolean IS NOT NULL
             RETURNING 1`,
      values: [...who(c), throttleSec, following],
    };
  }

  async setFollowing(m: EntityManager, c: CitizenKey, following: boolean): Promise<void> {
    await writeBehind(m, {
      text: `INSERT INTO conv_citizens (channel, account, user_id, following, activity_reported_at) VALUES ($1, $2, $3, $4, 'epoch')
             ON CONFLICT (channel, account, user_id) DO UPDATE SET following = $4`,
      values: [...who(c), following],
    });
  }

  /** Submitted drafts whose media are all settled, or that waited long enough; locked for this caller. */
  async draftsReadyToSend(m: EntityManager, mediaWaitSec: number, limit = 50): Promise<DraftRow[]> {
    return m.query(
      `SELECT d.* FROM conv_drafts d
        WHERE d.status = 'submitted'
          AND (d.submitted_at < now() - make_interval(secs => $1)
               OR NOT EXISTS (SELECT 1 FROM conv_draft_items i WHERE i.draft_id = d.id AND i.media_status = 'pending'))
        ORDER BY d.submitted_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [mediaWaitSec, limit],
    );
  }

  /** Open drafts to close: quiet for `quietSec` with some text (submit), or older than the TTL (expire). */
  async quietDrafts(m: EntityManager, quietSec: number, ttlHours: number, limit = 50): Promise<DraftRow[]> {
    return m.query(
      `SELECT d.* FROM conv_drafts d
        WHERE d.status = 'open'
          AND ((d.last_activity_at < now() - make_interval(secs => $1)
                AND EXISTS (SELECT 1 FROM conv_draft_items i WHERE i.draft_id = d.id AND coalesce(i.text, '') <> ''))
               OR d.opened_at < now() - make_interval(hours => $2))
        ORDER BY d.last_activity_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [quietSec, ttlHours, limit],
    );
  }
}
