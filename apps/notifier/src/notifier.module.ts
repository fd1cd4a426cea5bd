import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/common';
import type { NotifierConfig } from './config.js';
import { NOTIFIER_MIGRATIONS } from './migrations/index.js';

@Module({})
export class NotifierModule {
  static forRoot(config: NotifierConfig): DynamicModule {
    return {
      module: NotifierModule,
      imports: [PlatformModule.forRoot({ config, migrations: NOTIFIER_MIGRATIONS })],
    };
  }
}
