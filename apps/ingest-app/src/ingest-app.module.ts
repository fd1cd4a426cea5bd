import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { MulterModule } from '@nestjs/platform-express';
import { PlatformModule } from '@app/common';
import { HttpErrorFilter } from '@app/common/http/http-error.filter.js';
import { PlainInputPipe } from '@app/common/http/plain-input.pipe.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountsRepository } from './accounts/accounts.repository.js';
import { AccountsService } from './accounts/accounts.service.js';
import { CitizenAuthGuard } from './accounts/auth.guard.js';
import { CasesController } from './cases/cases.controller.js';
import { CasesRepository } from './cases/cases.repository.js';
import { CasesService } from './cases/cases.service.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from './config.js';
import { RateLimitGuard } from './http/rate-limit.guard.js';
import { FollowUpTokens } from './inquiries/follow-up-token.js';
import { InquiriesController } from './inquiries/inquiries.controller.js';
import { InquiriesRepository } from './inquiries/inquiries.repository.js';
import { InquiriesService } from './inquiries/inquiries.service.js';
import { multerOptions, UploadInterceptor } from './inquiries/upload.js';
import { MEDIA_PROVIDERS } from './media.providers.js';
import { INGEST_APP_MIGRATIONS } from './migrations/index.js';
import { NotificationsConsumer } from './notifications/notifications.consumer.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { NotificationsRepository } from './notifications/notifications.repository.js';
import { NotificationsService } from './notifications/notifications.service.js';
import { OPEN311_CONTROLLERS, OPEN311_PROVIDERS } from './open311/open311.providers.js';
import { PortalController } from './portal/portal.controller.js';
import { PortalRepository } from './portal/portal.repository.js';
import { PortalService } from './portal/portal.service.js';
import { ReadModelConsumer } from './read-model/read-model.consumer.js';
import { ReadModelRepository } from './read-model/read-model.repository.js';
import { ReadModelService } from './read-model/read-model.service.js';

const JWT_ISSUER = 'wenzheng-ingest-app';

@Module({})
export class IngestAppModule {
  static forRoot(config: IngestAppConfig): DynamicModule {
    return {
      module: IngestAppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          migrations: INGEST_APP_MIGRATIONS,
          retention: [{ table: 'idempotency_keys', column: 'created_at', days: config.env.IDEMPOTENCY_KEY_RETENTION_DAYS }],
        }),
        JwtModule.register({
          secret: config.env.JWT_SECRET,
          signOptions: { algorithm: 'HS256', issuer: JWT_ISSUER },
          verifyOptions: { algorithms: ['HS256'], issuer: JWT_ISSUER },
        }),
        MulterModule.register(multerOptions(config)),
      ],
      controllers: [AccountsController, InquiriesController, CasesController, NotificationsController, PortalController, ...OPEN311_CONTROLLERS],
      providers: [
        { provide: INGEST_APP_CONFIG, useValue: config },
        ...MEDIA_PROVIDERS,
        AccountsRepository,
        AccountsService,
        FollowUpTokens,
        InquiriesRepository,
        InquiriesService,
        UploadInterceptor,
        CasesRepository,
        CasesService,
        PortalRepository,
        PortalService,
        ReadModelRepository,
        ReadModelService,
        ReadModelConsumer,
        NotificationsRepository,
        NotificationsService,
        NotificationsConsumer,
        ...OPEN311_PROVIDERS,
        { provide: APP_GUARD, useClass: CitizenAuthGuard },
        // Guards run in this order: the rate limit needs to know the account.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        // Before validation: bodies nested too deeply and text PostgreSQL cannot store are a 400 (hostile input).
        { provide: APP_PIPE, useClass: PlainInputPipe },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true }),
        },
      ],
    };
  }
}
