import 'reflect-metadata';
import { runService } from '@app/common';
import { readIngestWeiboConfig } from './config.js';
import { INGEST_WEIBO_MIGRATIONS } from './migrations/index.js';
import { IngestWeiboModule } from './ingest-weibo.module.js';

await runService({ readConfig: readIngestWeiboConfig, module: IngestWeiboModule.forRoot, migrations: INGEST_WEIBO_MIGRATIONS });
