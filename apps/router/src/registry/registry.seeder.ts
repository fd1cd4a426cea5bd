import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectLogger, InjectPlatformConfig } from '@app/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { RouterConfig } from '../config.js';
import { loadSeedRules, loadSeedUnits, seedUnitId } from '../routing/seed-data.js';
import { RegistryRepository } from './registry.repository.js';

/**
 * Loads the reference units and the catalogue into the database at start-up. Idempotent and additive: a unit
 * already present (even edited, merged or retired by an administrator) is left alone, and the catalogue is only
 * seeded into an empty table, so administrators' changes are never overwritten.
 */
@Injectable()
export class RegistrySeeder implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: RegistryRepository,
    @InjectPlatformConfig() private readonly config: RouterConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.seed();
  }

  async seed(): Promise<void> {
    const dir = this.config.env.ROUTER_DATA_DIR;
    const units = loadSeedUnits(dir);
    const rules = loadSeedRules(dir, units);
    const byShort = new Map(units.map((u) => [u.shortName, seedUnitId(u.code)]));
    await this.dataSource.transaction(async (manager) => {
      // One seeder at a time across instances; the lock ends with the transaction.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('router.registry.seed'))`);
      let added = 0;
      for (const u of units) {
        const id = seedUnitId(u.code);
        const fields = {
          name: u.name,
          shortName: u.shortName,
          kind: u.kind,
          parentId: null,
          area: u.area,
          emails: [],
          webhookUrl: null,
        };
        if (await this.repository.insertUnit(manager, id, u.code, fields)) {
          await this.repository.recordHistory(manager, id, 'seeded', 'seed', 'units-yulin reference');
          added++;
        }
      }
      for (const u of units) {
        if (!u.parent) continue;
        await manager.query(`UPDATE units SET parent_id = $2 WHERE id = $1 AND parent_id IS NULL AND version = 1`, [
          seedUnitId(u.code),
          byShort.get(u.parent),
        ]);
      }
      if ((await this.repository.countRules(manager)) === 0) {
        for (const rule of rules) await this.repository.upsertRule(manager, { ...rule, active: true }, 'seed');
      }
      if (added > 0) this.logger.info({ added }, 'seeded units');
    });
  }
}
