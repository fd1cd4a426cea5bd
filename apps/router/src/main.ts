import 'reflect-metadata';
import { runService } from '@app/common';
import { readRouterConfig } from './config.js';
import { ROUTER_MIGRATIONS } from './migrations/index.js';
import { RouterModule } from './router.module.js';

await runService({ readConfig: readRouterConfig, module: RouterModule.forRoot, migrations: ROUTER_MIGRATIONS });
