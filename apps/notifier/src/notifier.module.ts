import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/common';
import { AccessTokenStore } from '@app/common/channel/access-token-store.js';
import { WechatAccessTokens } from '@app/common/channel/wechat-access-token.js';
import { DataSource } from 'typeorm';
import type { NotifierConfig } from './config.js';
import { ContactsRepository } from './contacts/contacts.repository.js';
import { DeadLetterController, NotifierAdminGuard } from './delivery/dead-letter.controller.js';
import { DeadLetterReplay } from './delivery/dead-letter.replay.js';
import { DeliveryErrorHandler } from './delivery/delivery-error.handler.js';
import { DeliveryMetrics } from './delivery/delivery.metrics.js';
import { DeliveryRepository } from './delivery/delivery.repository.js';
import { DispatcherService } from './delivery/dispatcher.service.js';
import { ChannelRateLimits } from './delivery/rate-limiter.js';
import { NOTIFIER_MIGRATIONS } from './migrations/index.js';
import { NotifierSettings } from './notifier.settings.js';
import { NotificationConsumer } from './planning/notification.consumer.js';
import { NotificationPlanner } from './planning/notification.planner.js';
import { NotificationService } from './planning/notification.service.js';
import { AppSender } from './senders/app.sender.js';
import { EmailSender } from './senders/email.sender.js';
import { Senders } from './senders/senders.js';
import { WebhookSender } from './senders/webhook.sender.js';
import { WechatSender } from './senders/wechat.sender.js';
import { WeiboSender } from './senders/weibo.sender.js';

@Module({})
export class NotifierModule {
  static forRoot(config: NotifierConfig): DynamicModule {
    const env = config.env;
    return {
      controllers: [DeadLetterController],
      module: NotifierModule,
      imports: [
        PlatformModule.forRoot({
          config,
          migrations: NOTIFIER_MIGRATIONS,
          retention: [
            {
              table: 'deliveries',
              column: 'created_at',
              days: config.env.DELIVERY_RETENTION_DAYS,
              onlyWhere: `status IN ('sent', 'cancelled', 'dead', 'uncertain')`,
            },
          ],
        }),
      ],
      providers: [
        { provide: NotifierSettings, useValue: new NotifierSettings(env) },
        { provide: NotificationPlanner, useValue: new NotificationPlanner(env) },
        {
          provide: DeliveryErrorHandler,
          useValue: new DeliveryErrorHandler({
            maxAttempts: env.DELIVERY_MAX_ATTEMPTS,
            baseMs: env.DELIVERY_RETRY_BASE_MS,
            maxMs: env.DELIVERY_RETRY_MAX_MS,
            windowWaitMs: env.WINDOW_WAIT_MS,
          }),
        },
        {
          provide: ChannelRateLimits,
          useValue: new ChannelRateLimits({
            wechat: env.RATE_WECHAT,
            weibo: env.RATE_WEIBO,
            app: env.RATE_APP,
            email: env.RATE_EMAIL,
            webhook: env.RATE_WEBHOOK,
          }),
        },
        {
          provide: WechatAccessTokens,
          inject: [DataSource],
          // The store shared with ingest-wechat; a short in-process copy saves a query per send.
          useFactory: (ds: DataSource) =>
            new WechatAccessTokens(new AccessTokenStore(ds, 'wechat', { memoMs: 30_000 }), env.WECHAT_API_BASE, env.VENDOR_TIMEOUT_MS),
        },
        {
          provide: EmailSender,
          useFactory: () =>
            new EmailSender({
              host: env.SMTP_HOST,
              port: env.SMTP_PORT,
              secure: env.SMTP_SECURE,
              user: env.SMTP_USER,
              password: env.SMTP_PASSWORD,
              from: env.SMTP_FROM,
              timeoutMs: env.VENDOR_TIMEOUT_MS,
            }),
        },
        {
          provide: Senders,
          inject: [EmailSender, WechatAccessTokens],
          useFactory: (email: EmailSender, tokens: WechatAccessTokens) =>
            new Senders(
              email,
              new WebhookSender(env.VENDOR_TIMEOUT_MS),
              new WechatSender(tokens, {
                apiBase: env.WECHAT_API_BASE,
                appId: env.WECHAT_APP_ID,
                appSecret: env.WECHAT_APP_SECRET,
                templateId: env.WECHAT_TEMPLATE_ID,
                timeoutMs: env.VENDOR_TIMEOUT_MS,
              }),
              new WeiboSender({
                apiBase: env.WEIBO_API_BASE,
                messageApiBase: env.WEIBO_MESSAGE_API_BASE,
                accessToken: env.WEIBO_ACCESS_TOKEN,
                timeoutMs: env.VENDOR_TIMEOUT_MS,
              }),
              new AppSender(env.APP_PUSH_URL, env.VENDOR_TIMEOUT_MS),
            ),
        },
        ContactsRepository,
        DeliveryRepository,
        DeliveryMetrics,
        DispatcherService,
        DeadLetterReplay,
        NotifierAdminGuard,
        NotificationService,
        NotificationConsumer,
      ],
    };
  }
}
