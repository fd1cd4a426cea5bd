import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { CurrentStaff, Roles, StaffGuard, type StaffUser } from '../auth/staff-auth.js';
import { ZodBody } from '../common/zod-body.pipe.js';
import { LifecycleService, type UnitActor } from '../lifecycle/lifecycle.service.js';
import { extensionSchema, noteSchema, replySchema, returnSchema, type ExtensionDto, type ReplyDto } from '../lifecycle/lifecycle.dto.js';
import { MAX_REPLY_FILES, UploadCleanup } from './agency-media.js';
import { agencyListSchema, webhookSchema, type AgencyListQuery, type WebhookDto } from './agency.dto.js';
import { AgencyService } from './agency.service.js';

/** The units' API (an agent's login or the unit's X-Api-Key). Every route is scoped to the caller's unit. */
@Controller('agency')
@UseGuards(StaffGuard)
@Roles('unit')
export class AgencyController {
  constructor(
    private readonly agency: AgencyService,
    private readonly lifecycle: LifecycleService,
  ) {}

  /** multipart/form-data, field `files` (photos, videos; up to 9): stored through the media pipeline. */
  @Post('media')
  @UseInterceptors(UploadCleanup, FilesInterceptor('files', MAX_REPLY_FILES))
  upload(@UploadedFiles() files: Express.Multer.File[] | undefined) {
    return this.agency.storeMedia(files ?? []);
  }

  @Get('cases')
  list(@Query(new ZodBody(agencyListSchema)) query: AgencyListQuery, @CurrentStaff() staff: StaffUser) {
    return this.agency.list(unit(staff).unitId, query);
  }

  @Get('cases/:id')
  detail(@Param('id') id: string, @CurrentStaff() staff: StaffUser) {
    return this.agency.detail(unit(staff).unitId, id);
  }

  @Post('cases/:id/accept')
  @HttpCode(200)
  accept(@Param('id') id: string, @CurrentStaff() staff: StaffUser) {
    return this.lifecycle.accept(id, unit(staff));
  }

  @Post('cases/:id/reply')
  @HttpCode(200)
  async reply(@Param('id') id: string, @Body(new ZodBody(replySchema)) dto: ReplyDto, @CurrentStaff() staff: StaffUser) {
    await this.agency.assertStored(dto.attachments);
    return this.lifecycle.reply(id, unit(staff), dto.text, dto.attachments);
  }

  @Post('cases/:id/return')
  @HttpCode(200)
  returnCase(@Param('id') id: string, @Body(new ZodBody(returnSchema)) dto: { reason: string }, @CurrentStaff() staff: StaffUser) {
    return this.lifecycle.returnCase(id, unit(staff), dto.reason);
  }

  @Post('cases/:id/extension')
  @HttpCode(200)
  extension(@Param('id') id: string, @Body(new ZodBody(extensionSchema)) dto: ExtensionDto, @CurrentStaff() staff: StaffUser) {
    return this.lifecycle.requestExtension(id, unit(staff), dto.workingDays, dto.reason);
  }

  @Post('cases/:id/notes')
  note(@Param('id') id: string, @Body(new ZodBody(noteSchema)) dto: { text: string }, @CurrentStaff() staff: StaffUser) {
    return this.lifecycle.addNote(id, staff.sub, unit(staff).unitId, dto.text);
  }

  @Put('webhook')
  @HttpCode(204)
  async setWebhook(@Body(new ZodBody(webhookSchema)) dto: WebhookDto, @CurrentStaff() staff: StaffUser) {
    await this.agency.setWebhook(unit(staff).unitId, dto, staff.sub);
  }

  @Delete('webhook')
  @HttpCode(204)
  async removeWebhook(@CurrentStaff() staff: StaffUser) {
    await this.agency.setWebhook(unit(staff).unitId, null, staff.sub);
  }
}

/** The guard guarantees a unit token names its unit (claims refine) and an API key always does. */
const unit = (staff: StaffUser): UnitActor => ({ sub: staff.sub, unitId: staff.unitId! });
