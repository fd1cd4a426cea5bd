import { Injectable } from '@nestjs/common';
import { readTogether, writeBehind, type Attachment, type Citizen, type UnitContacts } from '@app/common';
import type { Statement } from '@app/common/database/pipeline.js';
import type { DataSource, EntityManager } from 'typeorm';
import type { WindowState } from '../delivery/window.policy.js';
import { returnedRows } from '../sql.js';

type Runner = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;
type Row = Record<string, any>;

export interface CaseContact {
  inquiryId: string;
  trackingNo?: string;
  title?: string;
  content?: string;
  receivedAt?: string;
  attachments: Attachment[];
  citizen?: Citizen;
  weiboThread?: { statusId: string; commentId?: string };
  unitId?: string;
  unitName?: string;
  replyDeadline?: string;
}

export interface UnitContact {
  unitId: string;
  unitName: string;
  emails: string[];
  webhookUrl?: string;
  webhookSecret?: string;
  prefer: UnitContacts['prefer'];
  webhookFailures: number;
  webhookDisabled: boolean;
}

// Named columns, not `*`: statements whose result follows the table are not prepared (see prepared-statements.ts).
const CASE_COLUMNS = `inquiry_id, tracking_no, title, content, received_at, attachments, citizen_channel, citizen_ref,
  weibo_status_id, weibo_comment_id, unit_id, unit_name, reply_deadline`;
const UNIT_COLUMNS = 'unit_id, unit_name, emails, webhook_url, webhook_secret, prefer, webhook_failures, webhook_disabled_at';

function caseContactOf(r: Row): CaseContact {
  return {
    inquiryId: r.inquiry_id,
    trackingNo: r.tracking_no ?? undefined,
    title: r.title ?? undefined,
    content: r.content ?? undefined,
    receivedAt: r.received_at ? new Date(r.received_at).toISOString() : undefined,
    attachments: r.attachments ?? [],
    citizen: r.citizen_channel ? { channel: r.citizen_channel, externalUserId: r.citizen_ref } : undefined,
    weiboThread: r.weibo_status_id ? { statusId: r.weibo_status_id, commentId: r.weibo_comment_id ?? undefined } : undefined,
    unitId: r.unit_id ?? undefined,
    unitName: r.unit_name ?? undefined,
    replyDeadline: r.reply_deadline ? new Date(r.reply_deadline).toISOString() : undefined,
  };
}

/**
 * The units `SAVE_UNITS` returned, and each saved one it did not: a unit another instance inserted while this
 * statement waited on its row is unchanged by ours (so not in `saved`) and, committed after this statement's
 * snapshot, not seen by its SELECT either. That row is new and holds what this update holds.
 */
function savedUnits(rows: Row[], updates: UnitUpdate[]): Map<string, UnitContact> {
  const units = new Map(rows.map((r) => [r.unit_id as string, unitContactOf(r)]));
  for (const { unitId, unitName, contacts } of new Map(updates.map((u) => [u.unitId, u])).values()) {
    if (units.has(unitId)) continue;
    const { emails, webhook, prefer } = contacts;
    units.set(unitId, { unitId, unitName, emails, webhookUrl: webhook?.url, webhookSecret: webhook?.secret, prefer, webhookFailures: 0, webhookDisabled: false });
  }
  return units;
}

function unitContactOf(r: Row): UnitContact {
  return {
    unitId: r.unit_id,
    unitName: r.unit_name,
    emails: r.emails,
    webhookUrl: r.webhook_url ?? undefined,
    webhookSecret: r.webhook_secret ?? undefined,
    prefer: r.prefer,
    webhookFailures: r.webhook_failures,
    webhookDisabled: r.webhook_disabled_at !== null,
  };
}

/** A citizen's activity on their channel (a message, a menu click, a follow or an unfollow). */
export interface Activity {
  channel: string;
  externalUserId: string;
  at: string;
  kind: string;
}

/** A case's new unit, as an `Assigned` event gives it. */
export interface Assignment {
  inquiryId: string;
  unitId: string;
  unitName: string;
  replyDeadline: string;
}

/** A unit's contacts as an event carries them. */
export interface UnitUpdate {
  unitId: string;
  unitName: string;
  contacts: UnitContacts;
}

/** A case as it is after its assignment, with the unit it had before (a reassignment tells the unit so). */
export interface AssignedCase {
  contact: CaseContact;
  previousUnitId?: string;
}

const SAVE_CASES = `INSERT INTO case_contacts (inquiry_id, tracking_no, title, content, received_at, attachments, citizen_channel,
                                  citizen_ref, weibo_status_id, weibo_comment_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[], $7::text[],
                            $8::text[], $9::text[], $10::text[])
       ON CONFLICT (inquiry_id) DO UPDATE SET
         tracking_no = coalesce(EXCLUDED.tracking_no, case_contacts.tracking_no),
         title = coalesce(EXCLUDED.title, case_contacts.title),
         content = coalesce(EXCLUDED.content, case_contacts.content),
         received_at = coalesce(EXCLUDED.received_at, case_contacts.received_at),
         attachments = CASE WHEN EXCLUDED.attachments = '[]'::jsonb THEN case_contacts.attachments ELSE EXCLUDED.attachments END,
         citizen_channel = coalesce(EXCLUDED.citizen_channel, case_contacts.citizen_channel),
         citizen_ref = coalesce(EXCLUDED.citizen_ref, case_contacts.citizen_ref),
         weibo_status_id = coalesce(EXCLUDED.weibo_status_id, case_contacts.weibo_status_id),
         weibo_comment_id = coalesce(EXCLUDED.weibo_comment_id, case_contacts.weibo_comment_id), updated_at = now()`;

// `= ANY($1)` keeps it unprepared: planned with its keys each time (see prepared-statements.ts).
const ASSIGN_CASES = `WITH before AS (SELECT inquiry_id, unit_id FROM case_contacts WHERE inquiry_id = ANY($1::text[]))
       INSERT INTO case_contacts AS k (inquiry_id, unit_id, unit_name, reply_deadline)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
       ON CONFLICT (inquiry_id) DO UPDATE SET unit_id = EXCLUDED.unit_id, unit_name = EXCLUDED.unit_name,
         reply_deadline = EXCLUDED.reply_deadline, updated_at = now()
       RETURNING ${CASE_COLUMNS}, (SELECT b.unit_id FROM before b WHERE b.inquiry_id = k.inquiry_id) AS previous_unit_id`;

/**
 * Saves the units given with contacts and answers every unit asked for. Unchanged contacts (nearly every assignment
 * repeats its unit's) leave the row alone and answer it as it is: no new row version, no WAL, for the ≈ 150 rows
 * every assignment used to rewrite. A changed webhook (URL or secret) is switched back on; the same one keeps its
 * failure count.
 */
const SAVE_UNITS = `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS x (unit_id text, unit_name text, emails text[], webhook_url text, webhook_secret text, prefer text)),
       saved AS (
         INSERT INTO unit_contacts AS u (unit_id, unit_name, emails, webhook_url, webhook_secret, prefer)
         SELECT unit_id, unit_name, emails, webhook_url, webhook_secret, prefer FROM input
         ON CONFLICT (unit_id) DO UPDATE SET unit_name = EXCLUDED.unit_name, emails = EXCLUDED.emails, prefer = EXCLUDED.prefer,
           updated_at = now(),
           webhook_failures = CASE WHEN u.webhook_url IS DISTINCT FROM EXCLUDED.webhook_url
                                     OR u.webhook_secret IS DISTINCT FROM EXCLUDED.webhook_secret THEN 0 ELSE u.webhook_failures END,
           webhook_disabled_at = CASE WHEN u.webhook_url IS DISTINCT FROM EXCLUDED.webhook_url
                                     OR u.webhook_secret IS DISTINCT FROM EXCLUDED.webhook_secret THEN NULL ELSE u.webhook_disabled_at END,
           webhook_url = EXCLUDED.webhook_url, webhook_secret = EXCLUDED.webhook_secret
         WHERE (u.unit_name, u.emails, u.webhook_url, u.webhook_secret, u.prefer)
               IS DISTINCT FROM (EXCLUDED.unit_name, EXCLUDED.emails, EXCLUDED.webhook_url, EXCLUDED.webhook_secret, EXCLUDED.prefer)
         RETURNING ${UNIT_COLUMNS})
       SELECT ${UNIT_COLUMNS} FROM saved
       UNION ALL
       SELECT ${UNIT_COLUMNS} FROM unit_contacts WHERE unit_id = ANY($2::text[]) AND unit_id NOT IN (SELECT unit_id FROM saved)`;

/**
 * The notifier's copies of what other apps own, fed only by events (apps meet only in topics). A case is
 * learnt from `inquiry.submitted.v1` and from `Received`, in either order; each fills what the other lacks.
 */
@Injectable()
export class ContactsRepository {
  /** Written behind: in a consumer's transaction it travels with the next statement (or COMMIT). */
  async saveCase(m: EntityManager, c: CaseContact): Promise<void> {
    await this.saveCases(m, [c]);
  }

  /** `saveCase` for several cases in one statement; each inquiry at most once. */
  async saveCases(m: EntityManager, cases: CaseContact[]): Promise<void> {
    if (cases.length === 0) return;
    const column = <T>(of: (c: CaseContact) => T | undefined): (T | null)[] => cases.map((c) => of(c) ?? null);
    await writeBehind(m, {
      text: SAVE_CASES,
      values: [
        column((c) => c.inquiryId),
        column((c) => c.trackingNo),
        column((c) => c.title),
        column((c) => c.content),
        column((c) => c.receivedAt),
        column((c) => JSON.stringify(c.attachments)),
        column((c) => c.citizen?.channel),
        column((c) => c.citizen?.externalUserId),
        column((c) => c.weiboThread?.statusId),
        column((c) => c.weiboThread?.commentId),
      ],
    });
  }

  /**
   * Records the assignments (each inquiry at most once) and saves the units given with contacts; answers each case
   * as it is now, with the unit it had before, and every unit of `unitIds` known. Both statements travel in one
   * round trip (with any writes held back before them). Of several updates of one unit the last counts.
   */
  async assignCases(
    m: EntityManager,
    assignments: Assignment[],
    units: UnitUpdate[],
    unitIds: string[],
  ): Promise<{ cases: Map<string, AssignedCase>; units: Map<string, UnitContact> }> {
    const [unitRows, caseRows] = await readTogether(m, [
      this.saveUnitsStatement(units, unitIds),
      {
        text: ASSIGN_CASES,
        values: [
          assignments.map((a) => a.inquiryId),
          assignments.map((a) => a.unitId),
          assignments.map((a) => a.unitName),
          assignments.map((a) => a.replyDeadline),
        ],
      },
    ]);
    const cases = new Map<string, AssignedCase>();
    for (const r of returnedRows(caseRows)) cases.set(r.inquiry_id, { contact: caseContactOf(r), previousUnitId: r.previous_unit_id ?? undefined });
    return { cases, units: savedUnits(returnedRows(unitRows), units) };
  }

  async findCase(m: Runner, inquiryId: string): Promise<CaseContact | undefined> {
    const [r] = await m.query(`SELECT ${CASE_COLUMNS} FROM case_contacts WHERE inquiry_id = $1`, [inquiryId]);
    return r ? caseContactOf(r) : undefined;
  }

  /** Saves one unit's contacts (see `SAVE_UNITS`); returns the unit. */
  async saveUnit(m: Runner, unitId: string, unitName: string, contacts: UnitContacts): Promise<UnitContact> {
    const update = { unitId, unitName, contacts };
    const { text, values } = this.saveUnitsStatement([update], [unitId]);
    return savedUnits(returnedRows(await m.query(text, values)), [update]).get(unitId)!;
  }

  async findUnit(m: Runner, unitId: string): Promise<UnitContact | undefined> {
    const [r] = await m.query(`SELECT ${UNIT_COLUMNS} FROM unit_contacts WHERE unit_id = $1`, [unitId]);
    return r ? unitContactOf(r) : undefined;
  }

  private saveUnitsStatement(updates: UnitUpdate[], unitIds: string[]): Statement {
    const latest = new Map(updates.map((u) => [u.unitId, u]));
    const input = [...latest.values()].map(({ unitId, unitName, contacts }) => ({
      unit_id: unitId,
      unit_name: unitName,
      emails: contacts.emails,
      webhook_url: contacts.webhook?.url ?? null,
      webhook_secret: contacts.webhook?.secret ?? null,
      prefer: contacts.prefer,
    }));
    return { text: SAVE_UNITS, values: [JSON.stringify(input), [...new Set([...unitIds, ...latest.keys()])]] };
  }

  async webhookSucceeded(m: Runner, unitId: string): Promise<void> {
    await m.query(`UPDATE unit_contacts SET webhook_failures = 0 WHERE unit_id = $1 AND webhook_failures > 0`, [unitId]);
  }

  /** Counts a failure; returns the count when this failure switched the webhook off, else undefined. */
  async webhookFailed(m: Runner, unitId: string, disableAfter: number): Promise<number | undefined> {
    const [r] = returnedRows(await m.query(
      `UPDATE unit_contacts SET webhook_failures = webhook_failures + 1,
              webhook_disabled_at = CASE WHEN webhook_failures + 1 >= $2 THEN coalesce(webhook_disabled_at, now()) END
        WHERE unit_id = $1
        RETURNING webhook_failures, (webhook_failures = $2) AS just_disabled`,
      [unitId, disableAfter],
    ));
    return r?.just_disabled ? r.webhook_failures : undefined;
  }

  /**
   * The citizen acted on their channel: a new window, its count from zero. Older reports never move it back.
   * Written behind, like `saveCase`.
   */
  async recordActivity(m: EntityManager, channel: string, externalUserId: string, at: string, kind: string): Promise<void> {
    await this.recordActivities(m, [{ channel, externalUserId, at, kind }]);
  }

  /**
   * `recordActivity` for several reports in one statement. Of one citizen's reports only the latest can count (the
   * last of equal times), as when they are recorded one by one.
   */
  async recordActivities(m: EntityManager, reports: Activity[]): Promise<void> {
    const latest = new Map<string, Activity>();
    for (const r of reports) {
      const key = `${r.channel}\u0000${r.externalUserId}`;
      const known = latest.get(key);
      if (!known || Date.parse(r.at) >= Date.parse(known.at)) latest.set(key, r);
    }
    if (latest.size === 0) return;
    const rows = [...latest.values()];
    await writeBehind(m, {
      text: `INSERT INTO citizen_windows (channel, external_user_id, last_activity_at, kind)
             SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[])
             ON CONFLICT (channel, external_user_id) DO UPDATE SET last_activity_at = EXCLUDED.last_activity_at,
               kind = EXCLUDED.kind, sent_in_window = 0
             WHERE citizen_windows.last_activity_at <= EXCLUDED.last_activity_at`,
      values: [rows.map((r) => r.channel), rows.map((r) => r.externalUserId), rows.map((r) => r.at), rows.map((r) => r.kind)],
    });
  }

  async findWindow(m: Runner, channel: string, externalUserId: string): Promise<WindowState | undefined> {
    const [r] = await m.query(`SELECT * FROM citizen_windows WHERE channel = $1 AND external_user_id = $2`, [channel, externalUserId]);
    return r ? { lastActivityAt: new Date(r.last_activity_at), kind: r.kind, sentInWindow: r.sent_in_window } : undefined;
  }

  async countWindowSend(m: Runner, channel: string, externalUserId: string): Promise<void> {
    await m.query(`UPDATE citizen_windows SET sent_in_window = sent_in_window + 1 WHERE channel = $1 AND external_user_id = $2`, [
      channel,
      externalUserId,
    ]);
  }

  /** The vendor says the quota is spent (45047): trust it over our count. */
  async exhaustWindow(m: Runner, channel: string, externalUserId: string): Promise<void> {
    await m.query(`UPDATE citizen_windows SET sent_in_window = 1000 WHERE channel = $1 AND external_user_id = $2`, [channel, externalUserId]);
  }
}
