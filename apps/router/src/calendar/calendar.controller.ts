import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { calendarYearSchema } from '@app/common/calendar/calendar.types.js';
import { CalendarService } from '@app/common/calendar/calendar.service.js';
import { z } from 'zod';
import { Roles, StaffGuard } from '../auth/staff-auth.js';
import { ZodBody } from '../common/zod-body.pipe.js';

const addYearSchema = calendarYearSchema.extend({ replace: z.boolean().default(false) });
type AddYearDto = z.infer<typeof addYearSchema>;

/** The State Council publishes next year's arrangement in Oct–Dec; an administrator loads it here, no release needed. */
@Controller('admin/calendar')
@UseGuards(StaffGuard)
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get('years')
  @Roles('admin', 'supervisor', 'desk')
  years() {
    return this.calendar.years();
  }

  @Post('years')
  @Roles('admin')
  add(@Body(new ZodBody(addYearSchema)) dto: AddYearDto) {
    return this.calendar.addYear(dto.year, dto.days as never, dto.source, { replace: dto.replace });
  }
}
