import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { readIngestWeiboConfig } from '../../apps/ingest-weibo/src/config.js';
import { IngestWeiboModule } from '../../apps/ingest-weibo/src/ingest-weibo.module.js';
import type { WeiboStandIn } from '../support/weibo-stand-in.js';
import { serviceEnv } from '../support/test-env.js';
import { ACCOUNT } from './weibo-client.js';

export interface BootedWeibo {
  app: INestApplication;
  db: DataSource;
  mediaDir: string;
}

/** Boots the ingest-weibo module on the test broker and database, its Weibo APIs on the stand-in. */
export async function bootWeibo(stand: WeiboStandIn, extra: Record<string, string> = {}): Promise<BootedWeibo> {
  const mediaDir = mkdtempSync(join(tmpdir(), 'wz-weibo-media-'));
  const config = readIngestWeiboConfig(
    serviceEnv({
      INGEST_WEIBO_PORT: '0',
      WEIBO_ACCOUNTS: JSON.stringify([{ ...ACCOUNT, accessToken: stand.accessToken }]),
      WEIBO_API_BASE: stand.url,
      WEIBO_UPLOAD_API_BASE: stand.url,
      MEDIA_DIR: mediaDir,
      MEDIA_POLL_MS: '100',
      MEDIA_RETRY_BASE_MS: '100',
      CONVERSATION_TICK_MS: '200',
      // Tests poll explicitly unless they ask for the timer.
      MENTION_POLL_MS: '3600000',
      ...extra,
    }),
  );
  const moduleRef = await Test.createTestingModule({ imports: [IngestWeiboModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.enableShutdownHooks();
  await app.init();
  return { app, db: app.get(DataSource), mediaDir };
}
