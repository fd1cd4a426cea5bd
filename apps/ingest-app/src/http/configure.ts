import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Express } from 'express';
import type { IngestAppConfig } from '../config.js';

/** What the HTTP server needs beyond the module: proxy trust and the OpenAPI document at /docs. */
export function configureIngestApp(app: INestApplication, config: IngestAppConfig): void {
  const express = app.getHttpAdapter().getInstance() as Express;
  // Behind a reverse proxy the client address (for the per-IP rate limit) is in X-Forwarded-For.
  if (config.env.TRUST_PROXY) express.set('trust proxy', 1);
  express.disable('x-powered-by');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('问政 · 市民端 API (ingest-app)')
      .setDescription('市民注册登录、提交诉求（照片、视频）、我的诉求、公开门户。错误一律返回 JSON：{ statusCode, code, message, details? }。')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
