import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/common';
import type { IngestAppConfig } from './config.js';
import { INGEST_APP_MIGRATIONS } from './migrations/index.js';

@Module({})
export class IngestAppModule {
  static forRoot(config: IngestAppConfig): DynamicModule {
    return {
      module: IngestAppModule,
      imports: [PlatformModule.forRoot({ config, migrations: INGEST_APP_MIGRATIONS })],
    };
  }
}
