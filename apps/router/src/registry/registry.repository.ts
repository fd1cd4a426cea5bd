import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DispatchRule, RoutingUnit } from '../routing/dispatch.js';

export interface UnitRow {
  id: string;
  code: number | null;
  name: string;
  shortName: string;
  kind: string;
  parentId: string | null;
  area: string;
  emails: string[];
  webhookUrl: string | null;
  active: boolean;
  mergedInto: string | null;
  version: number;
  updatedAt: string;
}

export interface UnitHistoryRow {
  version: number;
  action: string;
  actor: string;
  reason: string | null;
  snapshot: UnitRow;
  at: string;
}

const UNIT_COLUMNS = `id, code, name, short_name AS "shortName", kind, parent_id AS "parentId", area, emails,
  webhook_url AS "webhookUrl", active, merged_into AS "mergedInto", version, updated_at AS "updatedAt"`;

export type UnitFields = Pick<UnitRow, 'name' | 'shortName' | 'kind' | 'parentId' | 'area' | 'emails' | 'webhookUrl'>;

@Injectable()
export class RegistryRepository {
  async listUnits(manager: EntityManager, includeInactive: boolean): Promise<UnitRow[]> {
    return manager.query(
      `SELECT ${UNIT_COLUMNS} FROM units ${includeInactive ? '' : 'WHERE active'} ORDER BY code NULLS LAST, id`,
    );
  }

  async getUnit(manager: EntityManager, id: string, lock = false): Promise<UnitRow | undefined> {
    const rows: UnitRow[] = await manager.query(
      `SELECT ${UNIT_COLUMNS} FROM units WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0];
  }

  async shortNameTaken(manager: EntityManager, shortName: string, exceptId?: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM units WHERE short_name = $1 AND id <> $2`, [
      shortName,
      exceptId ?? '',
    ]);
    return rows.length > 0;
  }

  /** Inserts a unit unless its id exists; true when inserted. */
  async insertUnit(manager: EntityManager, id: string, code: number | null, f: UnitFields): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO units (id, code, name, short_name, kind, parent_id, area, emails, webhook_url)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING 1`,
      [id, code, f.name, f.shortName, f.kind, f.parentId, f.area, JSON.stringify(f.emails), f.webhookUrl],
    );
    return rows.length > 0;
  }

  async updateUnit(
    manager: EntityManager,
    id: string,
    f: UnitFields & { active: boolean; mergedInto: string | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE units SET name = $2, short_name = $3, kind = $4, parent_id = $5, area = $6, emails = $7, webhook_url = $8,
              active = $9, merged_into = $10, version = version + 1, updated_at = now()
       WHERE id = $1`,
      [id, f.name, f.shortName, f.kind, f.parentId, f.area, JSON.stringify(f.emails), f.webhookUrl, f.active, f.mergedInto],
    );
  }

  /** Appends the unit's current state to its history (call after every change, in the same transaction). */
  async recordHistory(manager: EntityManager, id: string, action: string, actor: string, reason?: string): Promise<void> {
    const unit = await this.getUnit(manager, id);
    await manager.query(
      `INSERT INTO unit_history (unit_id, version, action, actor, reason, snapshot) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, unit!.version, action, actor, reason ?? null, JSON.stringify(unit)],
    );
  }

  async history(manager: EntityManager, id: string): Promise<UnitHistoryRow[]> {
    return manager.query(
      `SELECT version, action, actor, reason, snapshot, at FROM unit_history WHERE unit_id = $1 ORDER BY version`,
      [id],
    );
  }

  /** Moves the catalogue's references from one unit to another (a merge). */
  async repointRules(manager: EntityManager, from: string, to: string, actor: string): Promise<void> {
    await manager.query(`UPDATE dispatch_rules SET unit_id = $2, updated_by = $3, updated_at = now() WHERE unit_id = $1`, [
      from,
      to,
      actor,
    ]);
    await manager.query(
      `UPDATE dispatch_rules SET yuyang_unit_id = $2, updated_by = $3, updated_at = now() WHERE yuyang_unit_id = $1`,
      [from, to, actor],
    );
  }

  async countRules(manager: EntityManager): Promise<number> {
    const [row]: { n: number }[] = await manager.query(`SELECT count(*)::int AS n FROM dispatch_rules`);
    return row.n;
  }

  async upsertRule(manager: EntityManager, rule: DispatchRule & { active: boolean }, actor: string): Promise<void> {
    await manager.query(
      `INSERT INTO dispatch_rules (id, keywords, scope, unit_id, yuyang_unit_id, zone_local, co_unit_ids, active, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET keywords = $2, scope = $3, unit_id = $4, yuyang_unit_id = $5, zone_local = $6,
         co_unit_ids = $7, active = $8, updated_by = $9, updated_at = now()`,
      [
        rule.id,
        JSON.stringify(rule.keywords),
        rule.scope,
        rule.unitId,
        rule.yuyangUnitId,
        rule.zoneLocal,
        JSON.stringify(rule.coUnitIds),
        rule.active,
        actor,
      ],
    );
  }

  async listRules(manager: EntityManager, activeOnly: boolean): Promise<(DispatchRule & { active: boolean })[]> {
    return manager.query(
      `SELECT id, keywords, scope, unit_id AS "unitId", yuyang_unit_id AS "yuyangUnitId", zone_local AS "zoneLocal",
              co_unit_ids AS "coUnitIds", active
       FROM dispatch_rules ${activeOnly ? 'WHERE active' : ''} ORDER BY id`,
    );
  }

  async routingUnits(manager: EntityManager): Promise<RoutingUnit[]> {
    return manager.query(
      `SELECT id, short_name AS "shortName", name, kind, area, active, merged_into AS "mergedInto", emails FROM units`,
    );
  }
}
