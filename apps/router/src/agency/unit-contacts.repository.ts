import { Injectable } from '@nestjs/common';
import type { UnitContacts } from '@app/common';
import type { EntityManager } from 'typeorm';

/** A unit's contacts as the notifier needs them: e-mails from the registry, the webhook the unit registered. */
@Injectable()
export class UnitContactsRepository {
  async of(manager: EntityManager, unitId: string): Promise<(UnitContacts & { unitName: string }) | undefined> {
    const rows: { emails: string[]; url: string | null; secret: string | null; prefer: string | null; unitName: string }[] =
      await manager.query(
        `SELECT emails, webhook_url AS url, webhook_secret AS secret, webhook_prefer AS prefer, short_name AS "unitName"
         FROM units WHERE id = $1`,
        [unitId],
      );
    const row = rows[0];
    if (!row) return undefined;
    const webhook = row.url && row.secret ? { url: row.url, secret: row.secret } : undefined;
    const prefer = (webhook ? (row.prefer ?? 'webhook') : 'email') as UnitContacts['prefer'];
    return { unitName: row.unitName, emails: row.emails, prefer, ...(webhook ? { webhook } : {}) };
  }

  async setWebhook(manager: EntityManager, unitId: string, webhook: { url: string; secret: string; prefer: string } | null): Promise<void> {
    await manager.query(
      `UPDATE units SET webhook_url = $2, webhook_secret = $3, webhook_prefer = $4, updated_at = now() WHERE id = $1`,
      [unitId, webhook?.url ?? null, webhook?.secret ?? null, webhook?.prefer ?? null],
    );
  }
}
