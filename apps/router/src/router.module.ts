import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/common';
import { StaffModule } from './auth/staff.module.js';
import type { RouterConfig } from './config.js';
import { IntakeModule } from './intake/intake.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { ROUTER_MIGRATIONS } from './migrations/index.js';
import { SupervisionModule } from './supervision/supervision.module.js';

@Module({})
export class RouterModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [
        PlatformModule.forRoot({ config, migrations: ROUTER_MIGRATIONS }),
        IntakeModule,
        LifecycleModule,
        SupervisionModule,
        StaffModule,
      ],
    };
  }
}
