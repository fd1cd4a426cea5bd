import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ConsumerRunner, InjectLogger, InjectPlatformConfig, newId, TOPICS, type EventOf, type PlatformConfig } from '@app/common';
import type { Logger } from 'pino';
import { Subject, type Observable } from 'rxjs';

type CaseEvent = EventOf<typeof TOPICS.caseEvents>;

/** The case events that change what the desk's queue and its decisions list (returns, extensions, flags) show. */
export const QUEUE_EVENT_TYPES = new Set([
  'QueuedForDesk',
  'Claimed',
  'Assigned',
  'Merged',
  'Rejected',
  'InfoRequested',
  'Returned',
  'ExtensionRequested',
  'ExtensionGranted',
  'ExtensionRefused',
  'ReplyFlagged',
  'FeedbackRecorded',
  'Reopened',
  'Closed',
]);

/**
 * The live queue feed is fed by `case.events.v1`, not by the outbox table: every router instance reads the
 * topic in its own consumer group (so each sees every event, whichever instance made it), starting at the
 * latest offset, and fans the queue-relevant events out to its SSE clients. Kafka is the one ordered record
 * of what happened; the outbox is only the way in. A client that reconnects reloads GET /desk/queue.
 */
@Injectable()
export class DeskFeed implements OnApplicationBootstrap {
  private readonly events = new Subject<CaseEvent>();

  constructor(
    private readonly runner: ConsumerRunner,
    @InjectPlatformConfig() private readonly config: PlatformConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /**
   * Not awaited: the router serves units and the desk from PostgreSQL while the brokers are down, and the feed
   * joins when they answer (`start` rejects only on a programming error).
   */
  onApplicationBootstrap(): void {
    void this.runner.start({
      contract: TOPICS.caseEvents,
      groupId: `${this.config.app}.desk-feed.${newId()}`,
      fromBeginning: false,
      types: [...QUEUE_EVENT_TYPES],
      handle: async (event) => {
        if (QUEUE_EVENT_TYPES.has(event.type)) this.events.next(event);
      },
    }).catch((error: unknown) => this.logger.error({ err: String(error) }, 'the desk feed did not start'));
  }

  feed(): Observable<CaseEvent> {
    return this.events.asObservable();
  }
}
