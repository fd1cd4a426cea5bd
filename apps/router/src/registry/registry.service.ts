import { Injectable } from '@nestjs/common';
import { newId } from '@app/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RouterError } from '../common/router-error.js';
import { RoutingSnapshot } from '../routing/routing-snapshot.js';
import type { CreateUnitDto, MergeUnitDto, RetireUnitDto, RuleDto, UpdateUnitDto } from './registry.dto.js';
import { RegistryRepository, type UnitHistoryRow, type UnitRow } from './registry.repository.js';

/** The administrator's registry: units are data, every change is a new version in unit_history. */
@Injectable()
export class RegistryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: RegistryRepository,
    private readonly snapshot: RoutingSnapshot,
  ) {}

  list(includeInactive: boolean): Promise<UnitRow[]> {
    return this.repository.listUnits(this.dataSource.manager, includeInactive);
  }

  async get(id: string): Promise<UnitRow> {
    return this.mustGet(this.dataSource.manager, id);
  }

  async history(id: string): Promise<UnitHistoryRow[]> {
    await this.mustGet(this.dataSource.manager, id);
    return this.repository.history(this.dataSource.manager, id);
  }

  async create(dto: CreateUnitDto, actor: string): Promise<UnitRow> {
    return this.change(async (manager) => {
      if (await this.repository.shortNameTaken(manager, dto.shortName)) {
        throw new RouterError('unit_exists', `简称“${dto.shortName}”已被使用`);
      }
      if (dto.parentId) await this.mustGet(manager, dto.parentId);
      const id = newId();
      await this.repository.insertUnit(manager, id, null, dto);
      await this.repository.recordHistory(manager, id, 'created', actor, dto.reason);
      return this.mustGet(manager, id);
    });
  }

  async update(id: string, dto: UpdateUnitDto, actor: string): Promise<UnitRow> {
    return this.change(async (manager) => {
      const unit = await this.mustGet(manager, id, true);
      if (!unit.active) throw new RouterError('unit_inactive', '已撤销或合并的单位不能修改');
      if (dto.shortName && (await this.repository.shortNameTaken(manager, dto.shortName, id))) {
        throw new RouterError('unit_exists', `简称“${dto.shortName}”已被使用`);
      }
      const { reason, ...fields } = dto;
      await this.repository.updateUnit(manager, id, { ...unit, ...fields });
      await this.repository.recordHistory(manager, id, 'edited', actor, reason);
      return this.mustGet(manager, id);
    });
  }

  /** The merged unit stays (its cases keep its name) but is inactive and points at its successor. */
  async merge(id: string, dto: MergeUnitDto, actor: string): Promise<UnitRow> {
    if (id === dto.intoUnitId) throw new RouterError('invalid_request', '不能合并到自身');
    return this.change(async (manager) => {
      const unit = await this.mustGet(manager, id, true);
      const into = await this.mustGet(manager, dto.intoUnitId, true);
      if (!unit.active || !into.active) throw new RouterError('unit_inactive', '只能合并两个在用的单位');
      await this.repository.updateUnit(manager, id, { ...unit, active: false, mergedInto: into.id });
      await this.repository.repointRules(manager, id, into.id, actor);
      await this.repository.recordHistory(manager, id, 'merged', actor, `${dto.reason}（并入 ${into.shortName}）`);
      return this.mustGet(manager, id);
    });
  }

  async retire(id: string, dto: RetireUnitDto, actor: string): Promise<UnitRow> {
    return this.change(async (manager) => {
      const unit = await this.mustGet(manager, id, true);
      if (!unit.active) throw new RouterError('unit_inactive', '该单位已撤销或合并');
      await this.repository.updateUnit(manager, id, { ...unit, active: false });
      await this.repository.recordHistory(manager, id, 'retired', actor, dto.reason);
      return this.mustGet(manager, id);
    });
  }

  listRules(): Promise<(RuleDto & { id: string })[]> {
    return this.repository.listRules(this.dataSource.manager, false);
  }

  async putRule(id: string, dto: RuleDto, actor: string): Promise<void> {
    if (!/^[a-z0-9][a-z0-9-]{0,59}$/.test(id)) throw new RouterError('invalid_request', '规则编号只能包含小写字母、数字和连字符');
    await this.change(async (manager) => {
      for (const unitId of [dto.unitId, dto.yuyangUnitId, ...dto.coUnitIds]) {
        if (unitId) await this.mustGet(manager, unitId);
      }
      await this.repository.upsertRule(manager, { id, ...dto }, actor);
    });
  }

  private async change<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.snapshot.invalidate();
    return result;
  }

  private async mustGet(manager: EntityManager, id: string, lock = false): Promise<UnitRow> {
    const unit = await this.repository.getUnit(manager, id, lock);
    if (!unit) throw new RouterError('unit_not_found', `单位 ${id} 不存在`);
    return unit;
  }
}
