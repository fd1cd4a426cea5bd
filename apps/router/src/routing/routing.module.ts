import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module.js';
import { CaseRepository } from '../cases/case.repository.js';
import { CaseTransitions } from '../cases/case-transitions.js';
import { RouterErrorFilter } from '../common/router-error.js';
import { DeskFeed } from '../desk/desk-feed.js';
import { DeskController } from '../desk/desk.controller.js';
import { DeskService } from '../desk/desk.service.js';
import { RegistryController } from '../registry/registry.controller.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { RegistrySeeder } from '../registry/registry.seeder.js';
import { RegistryService } from '../registry/registry.service.js';
import { CalendarModule } from '@app/common/calendar/calendar.module.js';
import { UnitContactsRepository } from '../agency/unit-contacts.repository.js';
import { ClockRepository } from '../lifecycle/clock.repository.js';
import { CalendarCoverage } from './calendar-coverage.js';
import { DEADLINE_CALENDAR, StatutoryCalendar } from './deadline-calendar.js';
import { RoutingService } from './routing.service.js';
import { RoutingSnapshot } from './routing-snapshot.js';

/** Registry, catalogue, routing decision, the desk that corrects it, and the statutory calendar the clocks run on. */
@Module({
  imports: [AuthModule, CalendarModule.forRoot()],
  controllers: [RegistryController, DeskController],
  providers: [
    RegistryRepository,
    RegistrySeeder,
    RegistryService,
    RoutingSnapshot,
    RoutingService,
    CaseRepository,
    CaseTransitions,
    { provide: DEADLINE_CALENDAR, useClass: StatutoryCalendar },
    CalendarCoverage,
    ClockRepository,
    UnitContactsRepository,
    DeskService,
    DeskFeed,
    { provide: APP_FILTER, useClass: RouterErrorFilter },
  ],
  exports: [
    RoutingService,
    CaseRepository,
    CaseTransitions,
    RegistryRepository,
    DEADLINE_CALENDAR,
    ClockRepository,
    UnitContactsRepository,
    CalendarModule,
  ],
})
export class RoutingModule {}
