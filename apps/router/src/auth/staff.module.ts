import { Module } from '@nestjs/common';
import { CalendarController } from '../calendar/calendar.controller.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AuthController } from './auth.controller.js';
import { AuthModule } from './auth.module.js';
import { StaffAccountsService } from './staff-accounts.service.js';
import { StaffController } from './staff.controller.js';

/** Staff logins and accounts, the units' API keys, and the calendar's admin API. */
@Module({
  imports: [AuthModule, RoutingModule],
  controllers: [AuthController, StaffController, CalendarController],
  providers: [StaffAccountsService],
})
export class StaffModule {}
