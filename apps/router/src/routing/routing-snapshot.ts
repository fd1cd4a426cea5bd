import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectPlatformConfig } from '@app/common';
import { DataSource } from 'typeorm';
import { TopicModel } from '../classifier/topic-model.js';
import type { RouterConfig } from '../config.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { Dispatcher } from './dispatch.js';
import { Gazetteer } from './gazetteer.js';
import { loadGazetteerData } from './seed-data.js';

/**
 * The dispatcher over the registry and catalogue as the database has them. Re-read after a local change at
 * once, and after ROUTER_SNAPSHOT_TTL_MS otherwise (another instance's change), so routing reads no table
 * per case.
 */
@Injectable()
export class RoutingSnapshot {
  private readonly topics: TopicModel;
  private readonly gazetteer: Gazetteer;
  private current?: { dispatcher: Dispatcher; loadedAt: number };
  private loading?: Promise<Dispatcher>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: RegistryRepository,
    @InjectPlatformConfig() private readonly config: RouterConfig,
  ) {
    const dir = config.env.ROUTER_DATA_DIR;
    this.topics = TopicModel.load(join(dir, 'topic-model.json'));
    this.gazetteer = new Gazetteer(loadGazetteerData(dir));
  }

  async dispatcher(): Promise<Dispatcher> {
    const fresh = this.current && Date.now() - this.current.loadedAt < this.config.env.ROUTER_SNAPSHOT_TTL_MS;
    if (fresh) return this.current!.dispatcher;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  invalidate(): void {
    this.current = undefined;
  }

  private async load(): Promise<Dispatcher> {
    const manager = this.dataSource.manager;
    const [units, rules] = await Promise.all([
      this.registry.routingUnits(manager),
      this.registry.listRules(manager, true),
    ]);
    const dispatcher = new Dispatcher(units, rules, this.gazetteer, this.topics);
    this.current = { dispatcher, loadedAt: Date.now() };
    return dispatcher;
  }
}
