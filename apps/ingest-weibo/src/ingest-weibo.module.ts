import { Module, type DynamicModule } from '@nestjs/common';
import { OutboxWriter, PlatformModule } from '@app/common';
import { MEDIA_INGESTOR } from '@app/common/channel/media-ingestor.js';
import { CaseEventsConsumer } from '@app/common/conversation/case-events.consumer.js';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import { channelMediaIngestor, conversationTimings } from '@app/common/channel/channel.config.js';
import type { IngestWeiboConfig } from './config.js';
import { ConversationTicker } from './conversation/conversation.ticker.js';
import { MediaRepository } from './media/media.repository.js';
import { MediaWorker } from './media/media.worker.js';
import { WeiboApiClient } from './media/weibo-api.client.js';
import { MentionPoller } from './mentions/mention.poller.js';
import { MentionRepository } from './mentions/mention.repository.js';
import { INGEST_WEIBO_MIGRATIONS } from './migrations/index.js';
import { PushController } from './push/push.controller.js';
import { PushRepository } from './push/push.repository.js';
import { PushService } from './push/push.service.js';
import { WeiboAdapter } from './push/weibo.adapter.js';
import { CONFIG } from './tokens.js';

@Module({})
export class IngestWeiboModule {
  static forRoot(config: IngestWeiboConfig): DynamicModule {
    const env = config.env;
    return {
      module: IngestWeiboModule,
      imports: [PlatformModule.forRoot({ config, migrations: INGEST_WEIBO_MIGRATIONS })],
      controllers: [PushController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: WeiboAdapter, useFactory: () => new WeiboAdapter({ accounts: config.accounts, timestampWindowSec: env.WEIBO_TIMESTAMP_WINDOW_SEC }) },
        {
          provide: ConversationService,
          inject: [OutboxWriter],
          useFactory: (outbox: OutboxWriter) =>
            new ConversationService(outbox, {
              channel: 'weibo',
              menuAskKey: env.WEIBO_MENU_ASK_KEY,
              menuQueryKey: env.WEIBO_MENU_QUERY_KEY,
              trackingPrefix: env.TRACKING_PREFIX,
              ...conversationTimings(env),
            }),
        },
        {
          provide: WeiboApiClient,
          useFactory: () => new WeiboApiClient(env.WEIBO_API_BASE, env.WEIBO_UPLOAD_API_BASE, config.accounts, env.MEDIA_MAX_BYTES),
        },
        {
          provide: MEDIA_INGESTOR,
          useFactory: () => channelMediaIngestor(env),
        },
        PushRepository,
        PushService,
        MediaRepository,
        MediaWorker,
        MentionRepository,
        MentionPoller,
        ConversationTicker,
        CaseEventsConsumer,
      ],
    };
  }
}
