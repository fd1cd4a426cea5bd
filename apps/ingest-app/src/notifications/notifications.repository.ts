import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface NotificationRow {
  message_id: string;
  inquiry_id: string | null;
  purpose: string;
  title: string;
  body: string;
  link: string;
  created_at: Date;
  read_at: Date | null;
}

export interface NewNotification {
  messageId: string;
  accountId: string;
  inquiryId?: string;
  purpose: string;
  title: string;
  body: string;
  link: string;
  createdAt: string;
}

/** The citizens' in-app notifications; written only by the notifications consumer and the citizen's "read". */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly db: DataSource) {}

  async insert(manager: EntityManager, n: NewNotification): Promise<void> {
    await manager.query(
      `INSERT INTO notifications (message_id, account_id, inquiry_id, purpose, title, body, link, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING`,
      [n.messageId, n.accountId, n.inquiryId ?? null, n.purpose, n.title, n.body, n.link, n.createdAt],
    );
  }

  async list(accountId: string, unreadOnly: boolean, limit: number, offset: number): Promise<{ rows: NotificationRow[]; total: number; unread: number }> {
    const filter = unreadOnly ? 'AND read_at IS NULL' : '';
    // One snapshot for the page and its counts, so a notification arriving in between cannot make them disagree.
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const rows: NotificationRow[] = await m.query(
        `SELECT message_id, inquiry_id, purpose, title, body, link, created_at, read_at FROM notifications
          WHERE account_id = $1 ${filter} ORDER BY created_at DESC, message_id DESC LIMIT $2 OFFSET $3`,
        [accountId, limit, offset],
      );
      const [counts] = await m.query(
        `SELECT count(*) FILTER (WHERE TRUE ${filter})::int AS total, count(*) FILTER (WHERE read_at IS NULL)::int AS unread
           FROM notifications WHERE account_id = $1`,
        [accountId],
      );
      return { rows, total: counts.total, unread: counts.unread };
    });
  }

  /** Marks the given notifications (all of the account's when `messageIds` is undefined) read; returns what is left unread. */
  async markRead(accountId: string, messageIds: string[] | undefined): Promise<number> {
    await this.db.query(
      `UPDATE notifications SET read_at = now() WHERE account_id = $1 AND read_at IS NULL AND ($2::text[] IS NULL OR message_id = ANY ($2::text[]))`,
      [accountId, messageIds ?? null],
    );
    const [{ unread }] = await this.db.query(`SELECT count(*)::int AS unread FROM notifications WHERE account_id = $1 AND read_at IS NULL`, [accountId]);
    return unread;
  }
}
