import { Body, Controller, Get, Param, Post, Put, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { CurrentStaff, Roles, StaffGuard, type StaffUser } from '../auth/staff-auth.js';
import { RouterError } from '../common/router-error.js';
import { ZodBody } from '../common/zod-body.pipe.js';
import { photoReviewSchema, publicTextSchema, type PhotoReviewDto, type PublicTextDto } from './desk-case.dto.js';
import { DeskCaseService } from './desk-case.service.js';

/** The desk's case view (photos, video, place, suggestions, duplicates, timeline) and what the portal may publish. */
@Controller('desk/cases/:id')
@UseGuards(StaffGuard)
export class DeskCaseController {
  constructor(private readonly cases: DeskCaseService) {}

  @Get()
  @Roles('desk', 'supervisor', 'admin')
  detail(@Param('id') id: string) {
    return this.cases.detail(id);
  }

  /** The citizen's photo, video or thumbnail (`?key=<objectKey>`), only for a key the case holds. */
  @Get('media')
  @Roles('desk', 'supervisor', 'admin')
  async media(@Param('id') id: string, @Query('key') key: unknown): Promise<StreamableFile> {
    if (typeof key !== 'string' || !key || key.length > 300) throw new RouterError('invalid_request', '缺少附件 key');
    const { stream, contentType } = await this.cases.media(id, key);
    return new StreamableFile(stream, { type: contentType, disposition: 'inline' });
  }

  @Post('photos')
  @Roles('desk')
  reviewPhotos(@Param('id') id: string, @Body(new ZodBody(photoReviewSchema)) dto: PhotoReviewDto, @CurrentStaff() staff: StaffUser) {
    return this.cases.reviewPhotos(id, dto, staff.sub);
  }

  @Put('public-text')
  @Roles('desk')
  maskPublicText(@Param('id') id: string, @Body(new ZodBody(publicTextSchema)) dto: PublicTextDto, @CurrentStaff() staff: StaffUser) {
    return this.cases.maskPublicText(id, dto, staff.sub);
  }
}
