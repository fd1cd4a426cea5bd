import 'reflect-metadata';
import { runService } from '@app/common';
import { readIngestAppConfig } from './config.js';
import { configureIngestApp } from './http/configure.js';
import { INGEST_APP_MIGRATIONS } from './migrations/index.js';
import { IngestAppModule } from './ingest-app.module.js';

await runService({
  readConfig: readIngestAppConfig,
  module: IngestAppModule.forRoot,
  migrations: INGEST_APP_MIGRATIONS,
  configure: configureIngestApp,
});
