import 'reflect-metadata';
import { runService } from '@app/common';
import { readIngestWechatConfig } from './config.js';
import { INGEST_WECHAT_MIGRATIONS } from './migrations/index.js';
import { IngestWechatModule } from './ingest-wechat.module.js';

await runService({ readConfig: readIngestWechatConfig, module: IngestWechatModule.forRoot, migrations: INGEST_WECHAT_MIGRATIONS });
