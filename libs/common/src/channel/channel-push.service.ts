import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ConversationService } from '../conversation/conversation.service.js';
import type { ChannelAdapter, ChannelAnswer, ChannelRequest } from './channel-adapter.js';
import type { ChannelPushRepository } from './channel-push.repository.js';
import type { InboundMessage } from './inbound-message.js';

/**
 * One push of any channel: verify (before anything is parsed), parse, then record it, run the conversation
 * and queue media downloads in ONE transaction, and only then answer (DESIGN rule 1). Media are never
 * fetched here. Each channel app subclasses it with its own adapter and tables.
 */
export class ChannelPushService<V> {
  constructor(
    protected readonly adapter: ChannelAdapter<V>,
    private readonly conversation: ConversationService,
    private readonly repository: ChannelPushRepository,
    private readonly dataSource: DataSource,
    protected readonly logger: Logger,
  ) {}

  verifyUrl(request: Omit<ChannelRequest, 'body'>): string {
    return this.adapter.verifyUrl(request);
  }

  async receive(request: ChannelRequest): Promise<ChannelAnswer> {
    const verified = this.adapter.verify(request);
    const message = this.adapter.parse(verified);
    if (!message) {
      this.logger.info({ account: request.accountKey }, 'push of an unknown type; acknowledged');
      return this.adapter.answer(verified, null);
    }
    const { reply } = await this.accept(message);
    return this.adapter.answer(verified, reply);
  }

  /**
   * Acts on one message exactly once per (account, dedupKey); `duplicate` says it was seen before, and
   * `reply` is then the answer given the first time.
   */
  async accept(message: InboundMessage): Promise<{ reply: string | null; duplicate: boolean }> {
    // Retries of one push come from the same citizen, so the citizen's lock also serialises duplicates: the
    // second sees the first one's row and its answer. The unique key stays as the last line of defence.
    return this.dataSource.transaction(async (m) => {
      await this.conversation.lock(m, message);
      const earlier = await this.repository.seen(m, message.account, message.dedupKey);
      if (earlier) return { reply: earlier.reply, duplicate: true };
      const outcome = await this.conversation.handle(m, message);
      await this.repository.enqueueMedia(m, outcome.media);
      if (!(await this.repository.record(m, message.account, message.dedupKey, message.body.kind, outcome.reply))) {
        throw new Error('duplicate push recorded concurrently'); // rolls back; the vendor's retry then finds the row
      }
      return { reply: outcome.reply, duplicate: false };
    });
  }
}
