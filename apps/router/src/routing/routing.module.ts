import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module.js';
import { CaseRepository } from '../cases/case.repository.js';
import { CaseTransitions } from '../cases/case-transitions.js';
import { RouterErrorFilter } from '../common/router-error.js';
import { DeskClock } from '../desk/desk-clock.js';
import { DeskFeed } from '../desk/desk-feed.js';
import { DeskController } from '../desk/desk.controller.js';
import { DeskService } from '../desk/desk.service.js';
import { RegistryController } from '../registry/registry.controller.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { RegistrySeeder } from '../registry/registry.seeder.js';
import { RegistryService } from '../registry/registry.service.js';
import { DEADLINE_CALENDAR, WeekdayCalendar } from './deadline-calendar.js';
import { RoutingService } from './routing.service.js';
import { RoutingSnapshot } from './routing-snapshot.js';

/** Registry, catalogue, routing decision, and the desk that corrects it. */
@Module({
  imports: [AuthModule],
  controllers: [RegistryController, DeskController],
  providers: [
    RegistryRepository,
    RegistrySeeder,
    RegistryService,
    RoutingSnapshot,
    RoutingService,
    CaseRepository,
    CaseTransitions,
    { provide: DEADLINE_CALENDAR, useClass: WeekdayCalendar },
    DeskService,
    DeskFeed,
    DeskClock,
    { provide: APP_FILTER, useClass: RouterErrorFilter },
  ],
  exports: [RoutingService],
})
export class RoutingModule {}
