import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectLogger } from '@app/common';
import type { InboundMessage } from '@app/common/channel/inbound-message.js';
import { PollingLoop } from '@app/common/channel/polling-loop.js';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { IngestWeiboConfig, WeiboAccount } from '../config.js';
import { WeiboApiClient, type PolledMention } from '../media/weibo-api.client.js';
import { PushService } from '../push/push.service.js';
import { mentionKey, parseWeiboDate } from '../push/weibo-message.js';
import { CONFIG } from '../tokens.js';
import { MentionRepository, type MentionSource } from './mention.repository.js';

/** Pages read per poll and source at most; a backlog larger than this is caught up over the next polls. */
const MAX_PAGES = 10;
const SOURCES: MentionSource[] = ['status', 'comment'];

const byId = (a: PolledMention, b: PolledMention): number => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

/**
 * Finds public @mentions of accounts without the mention push permission: statuses/mentions and
 * comments/mentions after a persisted since_id cursor, every MENTION_POLL_MS. Each mention goes through the
 * push flow (`PushService.accept`) under the same key a pushed copy would have, so a mention seen twice —
 * by two polls, two instances, or a poll and a push — is one inquiry. The cursor moves only after the
 * mentions up to it are committed; a crash in between means they are read again and found to be known.
 */
@Injectable()
export class MentionPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: PollingLoop;
  private stopping = false;

  constructor(
    private readonly api: WeiboApiClient,
    private readonly push: PushService,
    private readonly cursors: MentionRepository,
    private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: IngestWeiboConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.loop = new PollingLoop(
      async () => {
        const created = await this.pollOnce();
        if (created) this.logger.info({ created }, 'mentions polled');
        return false;
      },
      config.env.MENTION_POLL_MS,
      (error) => this.logger.warn({ err: String(error) }, 'mention poll failed; next poll retries'),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.env.MENTION_POLLING && this.config.accounts.some((a) => a.pollMentions)) this.loop.start();
  }

  /** Stops before the database closes; a poll in flight finishes its current mention and returns. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
  }

  /** One poll of every polling account and source; returns how many new inquiries it made. */
  async pollOnce(): Promise<number> {
    let created = 0;
    for (const account of this.config.accounts.filter((a) => a.pollMentions)) {
      for (const source of SOURCES) created += await this.pollSource(account, source);
    }
    return created;
  }

  private async pollSource(account: WeiboAccount, source: MentionSource): Promise<number> {
    const since = await this.cursors.cursor(this.dataSource, account.uid, source);
    const count = this.config.env.MENTION_POLL_COUNT;
    const found: PolledMention[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const batch = await this.api.mentions(account.uid, source, since, count, page);
      found.push(...batch.filter((m) => /^\d+$/.test(m.id) && BigInt(m.id) > BigInt(since)));
      if (batch.length < count) break;
    }
    let created = 0;
    // Oldest first, so the cursor can follow each committed mention.
    for (const mention of found.sort(byId)) {
      if (this.stopping) break;
      const message = this.toMessage(account, mention);
      if (message && !(await this.push.accept(message)).duplicate) created++;
      await this.cursors.advance(this.dataSource, account.uid, source, mention.id);
    }
    return created;
  }

  private toMessage(account: WeiboAccount, mention: PolledMention): InboundMessage | null {
    // The account's own posts and replies name it too; they are not citizens' inquiries.
    if (!mention.userId || mention.userId === account.uid || !mention.statusId || !mention.text.trim()) return null;
    return {
      channel: 'weibo',
      account: account.uid,
      userId: mention.userId,
      dedupKey: mentionKey(mention.source, mention.id),
      vendorMessageId: mention.id,
      sentAt: parseWeiboDate(mention.createdAt) ?? new Date(),
      body: { kind: 'mention', text: mention.text, statusId: mention.statusId, commentId: mention.commentId },
    };
  }
}
