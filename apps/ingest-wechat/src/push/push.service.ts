import { Injectable } from '@nestjs/common';
import { ChannelPushService } from '@app/common/channel/channel-push.service.js';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import { InjectLogger } from '@app/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PushRepository } from './push.repository.js';
import { WechatAdapter, type VerifiedWechatPush } from './wechat.adapter.js';

/** A WeChat push through the shared channel flow (verify, parse, one transaction, answer). */
@Injectable()
export class PushService extends ChannelPushService<VerifiedWechatPush> {
  constructor(
    adapter: WechatAdapter,
    conversation: ConversationService,
    repository: PushRepository,
    dataSource: DataSource,
    @InjectLogger() logger: Logger,
  ) {
    super(adapter, conversation, repository, dataSource, logger);
  }
}
