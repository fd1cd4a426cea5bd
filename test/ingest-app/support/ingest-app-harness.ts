import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { readIngestAppConfig, type IngestAppConfig } from '../../../apps/ingest-app/src/config.js';
import { configureIngestApp } from '../../../apps/ingest-app/src/http/configure.js';
import { IngestAppModule } from '../../../apps/ingest-app/src/ingest-app.module.js';
import { serviceEnv } from '../../support/test-env.js';

export interface IngestAppHarness {
  app: INestApplication;
  config: IngestAppConfig;
  db: DataSource;
  mediaDir: string;
  uploadDir: string;
  close(): Promise<void>;
}

/** Boots the ingest-app in-process on the test broker and database, with its own media folders. */
export async function startIngestApp(extra: Record<string, string> = {}): Promise<IngestAppHarness> {
  const root = await mkdtemp(join(tmpdir(), 'wz-ingest-app-'));
  const mediaDir = join(root, 'media');
  const uploadDir = join(root, 'uploads');
  const config = readIngestAppConfig(
    serviceEnv({
      INGEST_APP_PORT: '0',
      MEDIA_DIR: mediaDir,
      UPLOAD_TMP_DIR: uploadDir,
      RATE_LIMIT_PER_IP: '100000',
      RATE_LIMIT_PER_ACCOUNT: '100000',
      ...extra,
    }),
  );
  const moduleRef = await Test.createTestingModule({ imports: [IngestAppModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureIngestApp(app, config);
  app.enableShutdownHooks();
  await app.init();
  return {
    app,
    config,
    db: app.get(DataSource),
    mediaDir,
    uploadDir,
    close: async () => {
      await app.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Every file under a folder, recursively (relative names). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1)).sort();
}
