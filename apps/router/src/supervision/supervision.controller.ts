import { Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Roles, StaffGuard } from '../auth/staff-auth.js';
import { ZodBody } from '../common/zod-body.pipe.js';
import { statsQuerySchema, type StatsQuery } from './period.js';
import { statsCsv } from './supervision.csv.js';
import { SupervisionService } from './supervision.service.js';

const dueSoonSchema = z.object({ workingDays: z.coerce.number().int().min(1).max(10).default(1) });

/** The supervision body's read-only view (纪委). */
@Controller('supervision')
@UseGuards(StaffGuard)
@Roles('supervisor', 'admin')
export class SupervisionController {
  constructor(private readonly supervision: SupervisionService) {}

  @Get('overdue')
  overdue() {
    return this.supervision.overdue();
  }

  @Get('due-soon')
  dueSoon(@Query(new ZodBody(dueSoonSchema)) q: { workingDays: number }) {
    return this.supervision.dueSoon(q.workingDays);
  }

  @Get('stats')
  stats(@Query(new ZodBody(statsQuerySchema)) q: StatsQuery) {
    return this.supervision.stats(q.period, q.date, q.minRatings);
  }

  @Get('stats.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="wenzheng-stats.csv"')
  async csv(@Query(new ZodBody(statsQuerySchema)) q: StatsQuery) {
    const s = await this.supervision.stats(q.period, q.date, q.minRatings);
    return statsCsv(s.city, s.units);
  }
}
