import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StaffRole } from './staff-auth.js';

export interface StaffAccount {
  username: string;
  passwordHash: string;
  role: StaffRole;
  unitId: string | null;
  displayName: string | null;
  active: boolean;
  lockedUntil?: Date | null;
}

@Injectable()
export class StaffAccountsRepository {
  async find(manager: EntityManager, username: string): Promise<StaffAccount | undefined> {
    const rows: StaffAccount[] = await manager.query(
      `SELECT username, password_hash AS "passwordHash", role, unit_id AS "unitId", display_name AS "displayName", active,
              locked_until AS "lockedUntil"
       FROM staff_accounts WHERE username = $1`,
      [username],
    );
    return rows[0];
  }

  async list(manager: EntityManager): Promise<Omit<StaffAccount, 'passwordHash'>[]> {
    return manager.query(
      `SELECT username, role, unit_id AS "unitId", display_name AS "displayName", active FROM staff_accounts ORDER BY username`,
    );
  }

  async insert(manager: EntityManager, a: StaffAccount): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO staff_accounts (username, password_hash, role, unit_id, display_name, active) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (username) DO NOTHING RETURNING 1`,
      [a.username, a.passwordHash, a.role, a.unitId, a.displayName, a.active],
    );
    return rows.length > 0;
  }

  async update(manager: EntityManager, username: string, changes: { passwordHash?: string; active?: boolean }): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `WITH u AS (UPDATE staff_accounts SET password_hash = COALESCE($2, password_hash), active = COALESCE($3, active)
       WHERE username = $1 RETURNING 1) SELECT * FROM u`,
      [username, changes.passwordHash ?? null, changes.active ?? null],
    );
    return rows.length > 0;
  }

  /** False only for an account that exists and is disabled (test and service tokens name no account). */
  async isActive(manager: EntityManager, username: string): Promise<boolean> {
    const rows: { active: boolean }[] = await manager.query(`SELECT active FROM staff_accounts WHERE username = $1`, [username]);
    return rows[0]?.active ?? true;
  }

  /** Counts a failed password; the account is locked for `lockMinutes` after `maxFailures` in a row. */
  async recordFailure(manager: EntityManager, username: string, maxFailures: number, lockMinutes: number): Promise<void> {
    await manager.query(
      `UPDATE staff_accounts SET failed_logins = failed_logins + 1,
         locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
       WHERE username = $1`,
      [username, maxFailures, lockMinutes],
    );
  }

  async recordSuccess(manager: EntityManager, username: string): Promise<void> {
    await manager.query(`UPDATE staff_accounts SET failed_logins = 0, locked_until = NULL WHERE username = $1`, [username]);
  }

  /** The unit whose API key hashes to this, if the key is live and the unit active. */
  async unitByKeyHash(manager: EntityManager, hash: string): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(`SELECT id FROM units WHERE api_key_hash = $1 AND active`, [hash]);
    return rows[0]?.id;
  }

  async setKeyHash(manager: EntityManager, unitId: string, hash: string | null): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `WITH u AS (UPDATE units SET api_key_hash = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING 1)
       SELECT * FROM u`,
      [unitId, hash],
    );
    return rows.length > 0;
  }
}
