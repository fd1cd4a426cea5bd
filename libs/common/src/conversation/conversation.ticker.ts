import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ChannelPushRepository } from '../channel/channel-push.repository.js';
import type { ConversationService } from './conversation.service.js';

/**
 * Runs the conversation's clock (quiet-period submission, sending drafts whose media settled) and prunes old
 * push keys. Each channel app subclasses it with its own push repository and tick interval.
 */
export class ChannelConversationTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;
  private lastPrune = 0;

  constructor(
    private readonly conversation: ConversationService,
    private readonly push: ChannelPushRepository,
    private readonly dataSource: DataSource,
    private readonly tickMs: number,
    private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.busy ??= this.tick().finally(() => (this.busy = undefined));
    }, this.tickMs);
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
