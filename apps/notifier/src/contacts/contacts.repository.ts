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

/**
 * The notifier's copies of what other apps own, fed only by events (apps meet only in topics). A case is
 * learnt from `inquiry.submitted.v1` and from `Received`, in either order; each fills what the other lacks.
 */
@Injectable()
export class ContactsRepository {
  /** Written behind: in a consumer's transaction it travels with the next statement (or COMMIT). */
  async saveCase(m: EntityManager, c: CaseContact): Promise<void> {
    await writeBehind(m, {
      text: `INSERT INTO case_contacts (inquiry_id, tracking_no, title, content, received_at, attachments, citizen_channel,
                                  citizen_ref, weibo_status_id, weibo_comment_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (inquiry_id) DO UPDATE SET
         tracking_no = coalesce(EXCLUDED.tracking_no, case_contacts.tracking_no),
         title = coalesce(EXCLUDED.title, case_contacts.title),
         content = coalesce(EXCLUDED.content, case_contacts.content),
         received_at = coalesce(EXCLUDED.received_at, case_contacts.received_at),
         attachments = CASE WHEN EXCLUDED.attachments = '[]'::jsonb THEN case_contacts.attachments ELSE EXCLUDED.attachments END,
         citizen_channel = coalesce(EXCLUDED.citizen_channel, case_contacts.citizen_channel),
         citizen_ref = coalesce(EXCLUDED.citizen_ref, case_contacts.citizen_ref),
         weibo_status_id = coalesce(EXCLUDED.weibo_status_id, case_contacts.weibo_status_id),
         weibo_comment_id = coalesce(EXCLUDED.weibo_comment_id, case_contacts.weibo_comment_id), updated_at = now()`,
      values: [
        c.inquiryId,
        c.trackingNo ?? null,
        c.title ?? null,
        c.content ?? null,
        c.receivedAt ?? null,
        JSON.stringify(c.attachments),
        c.citizen?.channel ?? null,
        c.citizen?.externalUserId ?? null,
        c.weiboThread?.statusId ?? null,
        c.weiboThread?.commentId ?? null,
      ],
    });
  }

  /**
   * Records the assignment and returns the case as it is now, with the unit it had before (a reassignment tells the
   * unit so), and the unit's contacts: saved from the event when it carries them, else the latest copy. Both
   * statements travel in one round trip (with any writes held back before them).
   */
  async assignCase(
    m: EntityManager,
    inquiryId: string,
    unit: { unitId: string; unitName: string; contacts?: UnitContacts },
    replyDeadline: string,
  ): Promise<{ contact: CaseContact; previousUnitId?: string; unit?: UnitContact }> {
    const [unitRows, caseRows] = await readTogether(m, [
      unit.contacts ? this.saveUnitStatement(unit.unitId, unit.unitName, unit.contacts) : this.findUnitStatement(unit.unitId),
      {
        text: `WITH before AS (SELECT unit_id FROM case_contacts WHERE inquiry_id = $1)
               INSERT INTO case_contacts (inquiry_id, unit_id, unit_name, reply_deadline) VALUES ($1, $2, $3, $4)
               ON CONFLICT (inquiry_id) DO UPDATE SET unit_id = $2, unit_name = $3, reply_deadline = $4, updated_at = now()
               RETURNING ${CASE_COLUMNS}, (SELECT unit_id FROM before) AS previous_unit_id`,
        values: [inquiryId, unit.unitId, unit.unitName, replyDeadline],
      },
    ]);
    const [r] = returnedRows(caseRows);
    const [u] = returnedRows(unitRows);
    return { contact: caseContactOf(r), previousUnitId: r.previous_unit_id ?? undefined, unit: u ? unitContactOf(u) : undefined };
  }

  async findCase(m: Runner, inquiryId: string): Promise<CaseContact | undefined> {
    const [r] = await m.query(`SELECT ${CASE_COLUMNS} FROM case_contacts WHERE inquiry_id = $1`, [inquiryId]);
    return r ? caseContactOf(r) : undefined;
  }

  /** A changed webhook (URL or secret) is switched back on; the same one keeps its failure count. Returns the unit. */
  async saveUnit(m: Runner, unitId: string, unitName: string, contacts: UnitContacts): Promise<UnitContact> {
    const { text, values } = this.saveUnitStatement(unitId, unitName, contacts);
    const [r] = returnedRows(await m.query(text, values));
    return unitContactOf(r);
  }

  async findUnit(m: Runner, unitId: string): Promise<UnitContact | undefined> {
    const { text, values } = this.findUnitStatement(unitId);
    const [r] = await m.query(text, values);
    return r ? unitContactOf(r) : undefined;
  }

  /**
   * Unchanged contacts (nearly every assignment repeats its unit's) leave the row alone and answer it as it is: no
   * new row version, no WAL, for the ≈ 150 rows every assignment used to rewrite.
   */
  private saveUnitStatement(unitId: string, unitName: string, contacts: UnitContacts): Statement {
    return {
      text: `WITH saved AS (
               INSERT INTO unit_contacts (unit_id, unit_name, emails, webhook_url, webhook_secret, prefer)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (unit_id) DO UPDATE SET unit_name = $2, emails = $3, prefer = $6, updated_at = now(),
                 webhook_failures = CASE WHEN unit_contacts.webhook_url IS DISTINCT FROM $4
                                           OR unit_contacts.webhook_secret IS DISTINCT FROM $5 THEN 0 ELSE unit_contacts.webhook_failures END,
                 webhook_disabled_at = CASE WHEN unit_contacts.webhook_url IS DISTINCT FROM $4
                                           OR unit_contacts.webhook_secret IS DISTINCT FROM $5 THEN NULL ELSE unit_contacts.webhook_disabled_at END,
                 webhook_url = $4, webhook_secret = $5
               WHERE (unit_contacts.unit_name, unit_contacts.emails, unit_contacts.webhook_url, unit_contacts.webhook_secret, unit_contacts.prefer)
                     IS DISTINCT FROM ($2, $3::text[], $4, $5, $6)
               RETURNING ${UNIT_COLUMNS})
             SELECT ${UNIT_COLUMNS} FROM saved
             UNION ALL
             SELECT ${UNIT_COLUMNS} FROM unit_contacts WHERE unit_id = $1 AND NOT EXISTS (SELECT 1 FROM saved)`,
      values: [unitId, unitName, contacts.emails, contacts.webhook?.url ?? null, contacts.webhook?.secret ?? null, contacts.prefer],
    };
  }

  private findUnitStatement(unitId: string): Statement {
    return { text: `SELECT ${UNIT_COLUMNS} FROM unit_contacts WHERE unit_id = $1`, values: [unitId] };
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
    await writeBehind(m, {
      text: `INSERT INTO citizen_windows (channel, external_user_id, last_activity_at, kind) VALUES ($1, $2, $3, $4)
             ON CONFLICT (channel, external_user_id) DO UPDATE SET last_activity_at = EXCLUDED.last_activity_at,
               kind = EXCLUDED.kind, sent_in_window = 0
             WHERE citizen_windows.last_activity_at <= EXCLUDED.last_activity_at`,
      values: [channel, externalUserId, at, kind],
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
