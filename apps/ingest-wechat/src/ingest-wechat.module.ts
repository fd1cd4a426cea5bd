import { Module, type DynamicModule } from '@nestjs/common';
import { OutboxWriter, PlatformModule } from '@app/common';
import { AccessTokenStore } from '@app/common/channel/access-token-store.js';
import { WechatAccessTokens } from '@app/common/channel/wechat-access-token.js';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import { channelMediaIngestor, conversationTimings } from '@app/common/channel/channel.config.js';
import { DataSource } from 'typeorm';
import type { IngestWechatConfig } from './config.js';
import { CaseEventsConsumer } from '@app/common/conversation/case-events.consumer.js';
import { ConversationTicker } from './conversation/conversation.ticker.js';
import { MEDIA_INGESTOR } from '@app/common/channel/media-ingestor.js';
import { MediaRepository } from './media/media.repository.js';
import { MediaWorker } from './media/media.worker.js';
import { WechatApiClient } from './media/wechat-api.client.js';
import { INGEST_WECHAT_MIGRATIONS } from './migrations/index.js';
import { PushController } from './push/push.controller.js';
import { PushRepository } from './push/push.repository.js';
import { PushService } from './push/push.service.js';
import { WechatAdapter } from './push/wechat.adapter.js';
import { CONFIG } from './tokens.js';

@Module({})
export class IngestWechatModule {
  static forRoot(config: IngestWechatConfig): DynamicModule {
    const env = config.env;
    return {
      module: IngestWechatModule,
      imports: [PlatformModule.forRoot({ config, migrations: INGEST_WECHAT_MIGRATIONS })],
      controllers: [PushController],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: WechatAdapter,
          useFactory: () => new WechatAdapter({ accounts: config.accounts, timestampWindowSec: env.WECHAT_TIMESTAMP_WINDOW_SEC }),
        },
        {
          provide: ConversationService,
          inject: [OutboxWriter],
          useFactory: (outbox: OutboxWriter) =>
            new ConversationService(outbox, {
              channel: 'wechat',
              menuAskKey: env.WECHAT_MENU_ASK_KEY,
              menuQueryKey: env.WECHAT_MENU_QUERY_KEY,
              trackingPrefix: env.TRACKING_PREFIX,
              ...conversationTimings(env),
            }),
        },
        {
          provide: WechatApiClient,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new WechatApiClient(
              env.WECHAT_API_BASE,
              config.accounts,
              new WechatAccessTokens(new AccessTokenStore(dataSource, 'wechat'), env.WECHAT_API_BASE),
              env.MEDIA_MAX_BYTES,
            ),
        },
        {
          provide: MEDIA_INGESTOR,
          useFactory: () => channelMediaIngestor(env),
        },
        PushRepository,
        PushService,
        MediaRepository,
        MediaWorker,
        ConversationTicker,
        CaseEventsConsumer,
      ],
    };
  }
}
