import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { readIngestWechatConfig } from '../../apps/ingest-wechat/src/config.js';
import { IngestWechatModule } from '../../apps/ingest-wechat/src/ingest-wechat.module.js';
import { serviceEnv } from '../support/test-env.js';
import { ACCOUNT_A, ACCOUNT_B } from './wechat-client.js';

export interface BootedWechat {
  app: INestApplication;
  db: DataSource;
  mediaDir: string;
}

/** Boots the ingest-wechat module on the test broker and database, with the two test accounts. */
export async function bootWechat(apiBase: string, extra: Record<string, string> = {}): Promise<BootedWechat> {
  const mediaDir = mkdtempSync(join(tmpdir(), 'wz-wechat-media-'));
  const config = readIngestWechatConfig(
    serviceEnv({
      INGEST_WECHAT_PORT: '0',
      WECHAT_ACCOUNTS: JSON.stringify([ACCOUNT_A, ACCOUNT_B]),
      WECHAT_API_BASE: apiBase,
      MEDIA_DIR: mediaDir,
      MEDIA_POLL_MS: '100',
      MEDIA_RETRY_BASE_MS: '100',
      CONVERSATION_TICK_MS: '200',
      ...extra,
    }),
  );
  const moduleRef = await Test.createTestingModule({ imports: [IngestWechatModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.enableShutdownHooks();
  await app.init();
  return { app, db: app.get(DataSource), mediaDir };
}
