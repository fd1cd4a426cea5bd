import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ConsumerRunner, TOPICS } from '@app/common';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import { READ_MODEL_CONSUMER, ReadModelService } from './read-model.service.js';

@Injectable()
export class ReadModelConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly runner: ConsumerRunner,
    private readonly readModel: ReadModelService,
    @Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.READ_MODEL_CONSUMER) return;
    await this.runner.start({
      contract: TOPICS.caseEvents,
      groupId: READ_MODEL_CONSUMER,
      handle: async (event) => {
        await this.readModel.apply(event);
      },
      handleBatch: async (events) => void (await this.readModel.applyMany(events)),
    });
  }
}
