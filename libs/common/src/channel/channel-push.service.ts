import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ConversationService } from '../conversation/conversation.service.js';
import type { ChannelAdapter, ChannelAnswer, ChannelRequest } from './channel-adapter.js';
import { inboundKey, type ChannelPushRepository, type InboundRecord } from './channel-push.repository.js';
import { databaseUnavailable, untilDatabaseReachable } from '../database/database-errors.js';
import { GroupCommit } from '../database/group-commit.js';
import type { InboundMessage } from './inbound-message.js';

export interface Accepted {
  /** The passive reply, or null to just acknowledge; for a duplicate, the answer given the first time. */
  reply: string | null;
  duplicate: boolean;
}

/**
 * Pushes of a lane share one transaction (see GroupCommit); four lanes leave the default pool of ten enough
 * connections for the outbox relay, the conversation ticker and the media worker.
 */
const LANES = 4;
const MAX_BATCH = 32;

/**
 * How long a push waits for an unreachable database (a PostgreSQL restart): past the vendors' 5 s, by when the
 * vendor has dropped the connection and will send the push again. An error answer instead would be final: WeChat
 * shows the citizen "该公众号暂时无法提供服务" and does not retry.
 */
export const PUSH_DATABASE_WAIT_MS = 6000;

/**
 * One push of any channel: verify (before anything is parsed), parse, then record it, run the conversation
 * and queue media downloads in a transaction, and only then answer (DESIGN rule 1). Media are never fetched
 * here. Pushes that arrive together are committed together (group commit); one citizen's pushes always share
 * a lane, so they are handled in the order they arrived. Each channel app subclasses it with its own adapter
 * and tables.
 */
export class ChannelPushService<V> {
  private readonly commits: GroupCommit<InboundMessage, Accepted>;

  constructor(
    protected readonly adapter: ChannelAdapter<V>,
    private readonly conversation: ConversationService,
    private readonly repository: ChannelPushRepository,
    private readonly dataSource: DataSource,
    protected readonly logger: Logger,
    private readonly databaseWaitMs = PUSH_DATABASE_WAIT_MS,
  ) {
    this.commits = new GroupCommit((messages) => this.acceptAll(messages), {
      lanes: LANES,
      maxBatch: MAX_BATCH,
      keyOf: (message) => `${message.channel}:${message.account}:${message.userId}`,
    });
  }

  verifyUrl(request: Omit<ChannelRequest, 'body'>): string {
    return this.adapter.verifyUrl(request);
  }

  /** The answer to a push; null: none at all, so that the vendor sends the push again (the database is unreachable). */
  async receive(request: ChannelRequest): Promise<ChannelAnswer | null> {
    const verified = this.adapter.verify(request);
    const message = this.adapter.parse(verified);
    if (!message) {
      this.logger.info({ account: request.accountKey }, 'push of an unknown type; acknowledged');
      return this.adapter.answer(verified, null);
    }
    try {
      const { reply } = await untilDatabaseReachable(() => this.accept(message), this.databaseWaitMs, (error, delayMs) =>
        this.logger.debug({ err: error, delayMs }, 'database unreachable; the push waits for it'),
      );
      return this.adapter.answer(verified, reply);
    } catch (error) {
      if (!databaseUnavailable(error)) throw error;
      this.logger.warn({ account: message.account, dedupKey: message.dedupKey }, 'database still unreachable; push left unanswered for the vendor to send again');
      return null;
    }
  }

  /**
   * Acts on one message exactly once per (account, dedupKey); resolves after the commit. `duplicate` says it
   * was seen before, and `reply` is then the answer given the first time.
   */
  accept(message: InboundMessage): Promise<Accepted> {
    return this.commits.submit(message);
  }

  /** One transaction for a batch of messages, handled in order: two round trips per batch, plus the conversation's own. */
  private acceptAll(messages: InboundMessage[]): Promise<Accepted[]> {
    // Retries of one push come from the same citizen, so the citizens' locks also serialise duplicates with
    // other instances: the later one sees the first one's row and its answer. The primary key stays as the
    // last line of defence.
    return this.conversation.inCitizensTransaction(this.dataSource, messages, [this.repository.seen(messages)], async (m, [seenRows], snapshots) => {
      const answered = this.repository.answersFrom(seenRows);
      // A message is new unless its key was answered before, or comes twice in this batch (a retry that
      // arrived while the first was waiting): the later copy then gets the first one's answer.
      const fresh = messages.filter((message) => {
        const key = inboundKey(message);
        if (answered.has(key)) return false;
        answered.set(key, null);
        return true;
      });
      const outcomes = await this.conversation.handleAll(m, fresh, snapshots);
      const records: InboundRecord[] = fresh.map((message, i) => {
        answered.set(inboundKey(message), outcomes[i].reply);
        return { account: message.account, dedupKey: message.dedupKey, msgType: message.body.kind, reply: outcomes[i].reply };
      });
      // Both travel with the COMMIT; a key recorded meanwhile by another instance (the callers' locks should
      // prevent it) fails the transaction, and the vendor's retry then finds the row.
      await this.repository.enqueueMedia(m, outcomes.flatMap((o) => o.media));
      await this.repository.record(m, records);
      const first = new Set(fresh);
      return messages.map((message) => ({ reply: answered.get(inboundKey(message)) ?? null, duplicate: !first.has(message) }));
    });
  }
}
