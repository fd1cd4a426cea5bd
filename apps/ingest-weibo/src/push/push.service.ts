import { Injectable } from '@nestjs/common';
import { ChannelPushService } from '@app/common/channel/channel-push.service.js';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import { InjectLogger } from '@app/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PushRepository } from './push.repository.js';
import { WeiboAdapter, type VerifiedWeiboPush } from './weibo.adapter.js';

/** A Weibo push (and a polled mention, through `accept`) via the shared channel flow. */
@Injectable()
export class PushService extends ChannelPushService<VerifiedWeiboPush> {
  constructor(
    adapter: WeiboAdapter,
    conversation: ConversationService,
    repository: PushRepository,
    dataSource: DataSource,
    @InjectLogger() logger: Logger,
  ) {
    super(adapter, conversation, repository, dataSource, logger);
  }
}
