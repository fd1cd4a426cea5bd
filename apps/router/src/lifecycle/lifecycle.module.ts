import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { PLATFORM_CONFIG } from '@app/common';
import { agencyMulterOptions } from '../agency/agency-media.js';
import { MEDIA_PROVIDERS } from '../agency/media.providers.js';
import type { RouterConfig } from '../config.js';
import { AgencyController } from '../agency/agency.controller.js';
import { AgencyRepository } from '../agency/agency.repository.js';
import { AgencyService } from '../agency/agency.service.js';
import { AuthModule } from '../auth/auth.module.js';
import { DeskCaseController } from '../desk/desk-case.controller.js';
import { DeskCaseRepository } from '../desk/desk-case.repository.js';
import { DeskCaseService } from '../desk/desk-case.service.js';
import { RoutingModule } from '../routing/routing.module.js';
import { CalendarHorizon } from './calendar-horizon.js';
import { ClockScanner } from './clock.scanner.js';
import { DecisionService } from './decision.service.js';
import { DecisionsController } from './decisions.controller.js';
import { FeedbackService } from './feedback.service.js';
import { InteractionsConsumer } from './interactions.consumer.js';
import { DecisionQueueRepository, LifecycleRepository } from './lifecycle.repository.js';
import { LifecycleService } from './lifecycle.service.js';

/**
 * A case after assignment: the unit's steps (agency API), the desk's decisions, the citizen's rating, the clocks;
 * and the desk's case view with the citizen's media (it shares the object store with the agency uploads).
 */
@Module({
  imports: [
    AuthModule,
    RoutingModule,
    MulterModule.registerAsync({ inject: [PLATFORM_CONFIG], useFactory: (config: RouterConfig) => agencyMulterOptions(config) }),
  ],
  controllers: [AgencyController, DecisionsController, DeskCaseController],
  providers: [
    LifecycleRepository,
    DecisionQueueRepository,
    LifecycleService,
    FeedbackService,
    DecisionService,
    ClockScanner,
    CalendarHorizon,
    InteractionsConsumer,
    AgencyRepository,
    AgencyService,
    DeskCaseRepository,
    DeskCaseService,
    ...MEDIA_PROVIDERS,
  ],
})
export class LifecycleModule {}
