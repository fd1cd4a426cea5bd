import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/common';
import type { IngestWechatConfig } from './config.js';
import { INGEST_WECHAT_MIGRATIONS } from './migrations/index.js';

@Module({})
export class IngestWechatModule {
  static forRoot(config: IngestWechatConfig): DynamicModule {
    return {
      module: IngestWechatModule,
      imports: [PlatformModule.forRoot({ config, migrations: INGEST_WECHAT_MIGRATIONS })],
    };
  }
}
