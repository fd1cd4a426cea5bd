import { Injectable } from '@nestjs/common';
import type { ChannelAnswer, ChannelRequest } from '@app/common/channel/channel-adapter.js';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import { InjectLogger } from '@app/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PushRepository } from './push.repository.js';
import { WechatAdapter } from './wechat.adapter.js';

/**
 * One push: verify (before anything is parsed), parse, then record it, run the conversation and queue media
 * downloads in ONE transaction, and only then answer (DESIGN rule 1). Media are never fetched here.
 */
@Injectable()
export class PushService {
  constructor(
    private readonly adapter: WechatAdapter,
    private readonly conversation: ConversationService,
    private readonly repository: PushRepository,
    private readonly dataSource: DataSource,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  verifyUrl(request: Omit<ChannelRequest, 'body'>): string {
    return this.adapter.verifyUrl(request);
  }

  async receive(request: ChannelRequest): Promise<ChannelAnswer> {
    const verified = this.adapter.verify(request);
    const message = this.adapter.parse(verified);
    if (!message) {
      this.logger.info({ account: verified.account.appId }, 'unknown WeChat message type; acknowledged');
      return this.adapter.answer(verified, null);
    }
    const account = verified.account.appId;
    // Retries of one push come from the same citizen, so the citizen's lock also serialises duplicates: the
    // second sees the first one's row and its answer. The unique key stays as the last line of defence.
    const reply = await this.dataSource.transaction(async (m) => {
      await this.conversation.lock(m, message);
      const earlier = await this.repository.seen(m, account, message.dedupKey);
      if (earlier) return earlier.reply;
      const outcome = await this.conversation.handle(m, message);
      await this.repository.enqueueMedia(m, outcome.media);
      if (!(await this.repository.record(m, account, message.dedupKey, message.body.kind, outcome.reply))) {
        throw new Error('duplicate push recorded concurrently'); // rolls back; WeChat's retry then finds the row
      }
      return outcome.reply;
    });
    return this.adapter.answer(verified, reply);
  }
}
