import { Injectable } from '@nestjs/common';
import type { UnitContacts } from '@app/common';
import type { EntityManager } from 'typeorm';

/** A unit's contacts as the notifier needs them: e-mails from the registry, the webhook the unit registered. */
@Injectable()
export class UnitContactsRepository {
  async of(manager: EntityManager, unitId: string): Promise<(UnitContacts & { unitName: string }) | undefined> {
    return (await this.ofMany(manager, [unitId])).get(unitId);
  }

  async ofMany(manager: EntityManager, unitIds: string[]): Promise<Map<string, UnitContacts & { unitName: string }>> {
    const rows: { id: string; emails: string[]; url: string | null; secret: string | null; prefer: string | null; unitName: string }[] =
      await manager.query(
        `SELECT id, emails, webhook_url AS url, webhook_secret AS secret, webhook_prefer AS prefer, short_name AS "unitName"
         FROM units WHERE id = ANY($1::text[])`,
        [[...new Set(unitIds)]],
      );
    const found = new Map<string, UnitContacts & { unitName: string }>();
    for (const row of rows) {
      const webhook = row.url && row.secret ? { url: row.url, secret: row.secret } : undefined;
      const prefer = (webhook ? (row.prefer ?? 'webhook') : 'email') as UnitContacts['prefer'];
      found.set(row.id, { unitName: row.unitName, emails: row.emails, prefer, ...(webhook ? { webhook } : {}) });
    }
    return found;
  }

  async setWebhook(manager: EntityManager, unitId: string, webhook: { url: string; secret: string; prefer: string } | null): Promise<void> {
    await manager.query(
      `UPDATE units SET webhook_url = $2, webhook_secret = $3, webhook_prefer = $4, updated_at = now() WHERE id = $1`,
      [unitId, webhook?.url ?? null, webhook?.secret ?? null, webhook?.prefer ?? null],
    );
  }
}
