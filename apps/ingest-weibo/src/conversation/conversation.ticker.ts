import { Inject, Injectable } from '@nestjs/common';
import { InjectLogger } from '@app/common';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import { ChannelConversationTicker } from '@app/common/conversation/conversation.ticker.js';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { IngestWeiboConfig } from '../config.js';
import { PushRepository } from '../push/push.repository.js';
import { CONFIG } from '../tokens.js';

@Injectable()
export class ConversationTicker extends ChannelConversationTicker {
  constructor(
    conversation: ConversationService,
    push: PushRepository,
    dataSource: DataSource,
    @Inject(CONFIG) config: IngestWeiboConfig,
    @InjectLogger() logger: Logger,
  ) {
    super(conversation, push, dataSource, config.env.CONVERSATION_TICK_MS, logger);
  }
}
