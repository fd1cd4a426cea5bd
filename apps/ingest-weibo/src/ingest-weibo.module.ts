import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/common';
import type { IngestWeiboConfig } from './config.js';
import { INGEST_WEIBO_MIGRATIONS } from './migrations/index.js';

@Module({})
export class IngestWeiboModule {
  static forRoot(config: IngestWeiboConfig): DynamicModule {
    return {
      module: IngestWeiboModule,
      imports: [PlatformModule.forRoot({ config, migrations: INGEST_WEIBO_MIGRATIONS })],
    };
  }
}
