import 'reflect-metadata';
import { runService } from '@app/common';
import { readNotifierConfig } from './config.js';
import { NOTIFIER_MIGRATIONS } from './migrations/index.js';
import { NotifierModule } from './notifier.module.js';

await runService({ readConfig: readNotifierConfig, module: NotifierModule.forRoot, migrations: NOTIFIER_MIGRATIONS });
