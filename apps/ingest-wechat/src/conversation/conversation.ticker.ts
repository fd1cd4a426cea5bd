import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectLogger } from '@app/common';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { IngestWechatConfig } from '../config.js';
import { PushRepository } from '../push/push.repository.js';
import { CONFIG } from '../tokens.js';

/** Runs the conversation's clock (quiet-period submission, sending drafts whose media settled) and prunes old keys. */
@Injectable()
export class ConversationTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;
  private lastPrune = 0;

  constructor(
    private readonly conversation: ConversationService,
    private readonly push: PushRepository,
    private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: IngestWechatConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.busy ??= this.tick().finally(() => (this.busy = undefined));
    }, this.config.env.CONVERSATION_TICK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.busy;
  }

  async tick(): Promise<void> {
    try {
      while ((await this.conversation.tick(this.dataSource)) > 0);
      if (Date.now() - this.lastPrune > 3600_000) {
        this.lastPrune = Date.now();
        await this.push.prune(this.dataSource);
      }
    } catch (error) {
      this.logger.error({ err: String(error) }, 'conversation tick failed; next tick retries');
    }
  }
}
