import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CurrentStaff, Roles, StaffGuard, type StaffUser } from '../auth/staff-auth.js';
import { ZodBody } from '../common/zod-body.pipe.js';
import { DecisionService } from './decision.service.js';
import {
  extensionDecisionSchema,
  flagReviewSchema,
  noteSchema,
  reopenDecisionSchema,
  returnDecisionSchema,
  type ExtensionDecisionDto,
  type FlagReviewDto,
  type ReopenDecisionDto,
  type ReturnDecisionDto,
} from './lifecycle.dto.js';
import { DecisionQueueRepository } from './lifecycle.repository.js';
import { LifecycleService } from './lifecycle.service.js';

/** The desk's side of the lifecycle: returned cases, extension requests, reopen requests, flagged replies. */
@Controller('desk')
@UseGuards(StaffGuard)
export class DecisionsController {
  constructor(
    private readonly decisions: DecisionService,
    private readonly lifecycle: LifecycleService,
    private readonly queue: DecisionQueueRepository,
    private readonly dataSource: DataSource,
  ) {}

  @Get('decisions')
  @Roles('desk', 'supervisor', 'admin')
  pending() {
    return this.queue.pending(this.dataSource.manager);
  }

  @Post('cases/:id/return-decision')
  @HttpCode(204)
  @Roles('desk')
  async returnDecision(@Param('id') id: string, @Body(new ZodBody(returnDecisionSchema)) dto: ReturnDecisionDto, @CurrentStaff() s: StaffUser) {
    await this.decisions.decideReturn(id, dto, s.sub);
  }

  @Post('cases/:id/extension-decision')
  @HttpCode(200)
  @Roles('desk')
  extensionDecision(@Param('id') id: string, @Body(new ZodBody(extensionDecisionSchema)) dto: ExtensionDecisionDto, @CurrentStaff() s: StaffUser) {
    return this.decisions.decideExtension(id, dto, s.sub);
  }

  @Post('cases/:id/reopen-decision')
  @HttpCode(204)
  @Roles('desk')
  async reopenDecision(@Param('id') id: string, @Body(new ZodBody(reopenDecisionSchema)) dto: ReopenDecisionDto, @CurrentStaff() s: StaffUser) {
    await this.decisions.decideReopen(id, dto, s.sub);
  }

  @Post('cases/:id/flag-review')
  @HttpCode(204)
  @Roles('desk')
  async flagReview(@Param('id') id: string, @Body(new ZodBody(flagReviewSchema)) dto: FlagReviewDto, @CurrentStaff() s: StaffUser) {
    await this.decisions.reviewFlag(id, dto, s.sub);
  }

  @Post('cases/:id/notes')
  @Roles('desk')
  note(@Param('id') id: string, @Body(new ZodBody(noteSchema)) dto: { text: string }, @CurrentStaff() s: StaffUser) {
    return this.lifecycle.addNote(id, s.sub, null, dto.text);
  }
}
