import { Body, Controller, Get, HttpCode, Param, Post, Query, Sse, UseGuards, type MessageEvent } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { CurrentStaff, Roles, StaffGuard, type StaffUser } from '../auth/staff-auth.js';
import { ZodBody } from '../common/zod-body.pipe.js';
import { DeskFeed } from './desk-feed.js';
import {
  assignSchema,
  mergeSchema,
  rejectSchema,
  requestInfoSchema,
  type AssignDto,
  type MergeDto,
  type RejectDto,
  type RequestInfoDto,
} from './desk.dto.js';
import { DeskService } from './desk.service.js';

@Controller('desk')
@UseGuards(StaffGuard)
export class DeskController {
  constructor(
    private readonly desk: DeskService,
    private readonly feed: DeskFeed,
  ) {}

  @Get('queue')
  @Roles('desk', 'supervisor', 'admin')
  queue(@Query('limit') limit?: string) {
    const n = Number(limit ?? 200);
    return this.desk.queue(Number.isInteger(n) && n > 0 && n <= 1000 ? n : 200);
  }

  /** Server-sent events: one `case` event per queue change ({type, inquiryId, actor, at, ...}). */
  @Sse('feed')
  @Roles('desk', 'supervisor', 'admin')
  live(): Observable<MessageEvent> {
    return this.feed.feed().pipe(map((e) => ({ id: e.id, type: e.type, data: e.payload })));
  }

  @Get('cases/:id/audit')
  @Roles('desk', 'supervisor', 'admin')
  audit(@Param('id') id: string) {
    return this.desk.auditTrail(id);
  }

  @Post('cases/:id/claim')
  @HttpCode(204)
  @Roles('desk')
  async claim(@Param('id') id: string, @CurrentStaff() staff: StaffUser) {
    await this.desk.claim(id, staff.sub);
  }

  @Post('cases/:id/assign')
  @HttpCode(204)
  @Roles('desk')
  async assign(@Param('id') id: string, @Body(new ZodBody(assignSchema)) dto: AssignDto, @CurrentStaff() staff: StaffUser) {
    await this.desk.assign(id, dto, staff.sub);
  }

  @Post('cases/:id/merge')
  @HttpCode(204)
  @Roles('desk')
  async merge(@Param('id') id: string, @Body(new ZodBody(mergeSchema)) dto: MergeDto, @CurrentStaff() staff: StaffUser) {
    await this.desk.merge(id, dto, staff.sub);
  }

  @Post('cases/:id/reject')
  @HttpCode(204)
  @Roles('desk')
  async reject(@Param('id') id: string, @Body(new ZodBody(rejectSchema)) dto: RejectDto, @CurrentStaff() staff: StaffUser) {
    await this.desk.reject(id, dto, staff.sub);
  }

  @Post('cases/:id/request-info')
  @HttpCode(204)
  @Roles('desk')
  async requestInfo(
    @Param('id') id: string,
    @Body(new ZodBody(requestInfoSchema)) dto: RequestInfoDto,
    @CurrentStaff() staff: StaffUser,
  ) {
    await this.desk.requestInfo(id, dto, staff.sub);
  }
}
