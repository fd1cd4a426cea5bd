import { Inject, Injectable } from '@nestjs/common';
import { InjectLogger } from '@app/common';
import { ChannelMediaWorker } from '@app/common/channel/channel-media.worker.js';
import { mediaWorkerSettings } from '@app/common/channel/channel.config.js';
import { MEDIA_INGESTOR, type MediaIngestor } from '@app/common/channel/media-ingestor.js';
import { ConversationService } from '@app/common/conversation/conversation.service.js';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { IngestWeiboConfig } from '../config.js';
import { CONFIG } from '../tokens.js';
import { MediaRepository } from './media.repository.js';
import { WeiboApiClient } from './weibo-api.client.js';

/** Downloads Weibo media (2/mss/msget with the account's token) in the background through the shared worker. */
@Injectable()
export class MediaWorker extends ChannelMediaWorker {
  constructor(
    repository: MediaRepository,
    api: WeiboApiClient,
    @Inject(MEDIA_INGESTOR) ingestor: MediaIngestor,
    conversation: ConversationService,
    dataSource: DataSource,
    @Inject(CONFIG) { env }: IngestWeiboConfig,
    @InjectLogger() logger: Logger,
  ) {
    super(repository, api, ingestor, conversation, dataSource, mediaWorkerSettings(env), logger);
  }
}
