import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/common';
import type { RouterConfig } from './config.js';
import { IntakeModule } from './intake/intake.module.js';
import { ROUTER_MIGRATIONS } from './migrations/index.js';

@Module({})
export class RouterModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [PlatformModule.forRoot({ config, migrations: ROUTER_MIGRATIONS }), IntakeModule],
    };
  }
}
