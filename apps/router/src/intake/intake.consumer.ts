import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ConsumerRunner, InjectPlatformConfig, TOPICS, type PlatformConfig } from '@app/common';
import { IntakeService } from './intake.service.js';

@Injectable()
export class IntakeConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly runner: ConsumerRunner,
    private readonly intake: IntakeService,
    @InjectPlatformConfig() private readonly config: PlatformConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start({
      contract: TOPICS.inquirySubmitted,
      groupId: `${this.config.app}.intake`,
      // On the citizen's path from submission to a routing decision (2 hours at most, in practice under a second).
      prompt: true,
      handle: async (event) => {
        await this.intake.receive(event);
      },
      handleBatch: async (events) => {
        await this.intake.receiveMany(events);
      },
    });
  }
}
