import { Module, type DynamicModule } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { PlatformModule } from '@app/common';
import { PlainInputPipe } from '@app/common/http/plain-input.pipe.js';
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
      // Before every route's own validation: nesting too deep and text PostgreSQL cannot store are a 400
      // (a U+0000 in a case id was a 500, a lone surrogate was stored altered; hostile-input tests).
      providers: [{ provide: APP_PIPE, useClass: PlainInputPipe }],
    };
  }
}
