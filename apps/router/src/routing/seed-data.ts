import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DispatchRule, RoutingUnit } from './dispatch.js';
import type { GazetteerData } from './gazetteer.js';

/** The reference data shipped in apps/router/data (see its README for the sources). */
export interface SeedUnit {
  code: number;
  kind: string;
  name: string;
  shortName: string;
  area: string;
  parent?: string;
}

interface SeedRule {
  id: string;
  keywords: string[];
  scope: DispatchRule['scope'];
  unit: string;
  yuyangUnit?: string;
  zoneLocal: boolean;
  coUnits: string[];
}

export const seedUnitId = (code: number): string => `U${String(code).padStart(3, '0')}`;

function readJson<T>(dataDir: string, file: string): T {
  return JSON.parse(readFileSync(join(dataDir, file), 'utf8')) as T;
}

export function loadSeedUnits(dataDir: string): SeedUnit[] {
  return readJson<SeedUnit[]>(dataDir, 'units.json');
}

export function loadGazetteerData(dataDir: string): GazetteerData {
  return readJson<GazetteerData>(dataDir, 'gazetteer.json');
}

/** The catalogue with short names turned into the seeded units' ids; an unknown name is a data error. */
export function loadSeedRules(dataDir: string, units: SeedUnit[]): DispatchRule[] {
  const ids = new Map(units.map((u) => [u.shortName, seedUnitId(u.code)]));
  const id = (name: string): string => {
    const found = ids.get(name);
    if (!found) throw new Error(`dispatch-rules.json names an unknown unit: ${name}`);
    return found;
  };
  return readJson<SeedRule[]>(dataDir, 'dispatch-rules.json').map((r) => ({
    id: r.id,
    keywords: r.keywords,
    scope: r.scope,
    unitId: id(r.unit),
    yuyangUnitId: r.yuyangUnit ? id(r.yuyangUnit) : null,
    zoneLocal: r.zoneLocal,
    coUnitIds: r.coUnits.map(id),
  }));
}

export function seedRoutingUnits(units: SeedUnit[]): RoutingUnit[] {
  return units.map((u) => ({
    id: seedUnitId(u.code),
    shortName: u.shortName,
    name: u.name,
    kind: u.kind,
    area: u.area,
    active: true,
    mergedInto: null,
  }));
}
