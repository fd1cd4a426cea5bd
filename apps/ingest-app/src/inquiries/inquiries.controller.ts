import { Body, Controller, Headers, Post, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CodedError } from '@app/common/http/coded-error.js';
import type { Response } from 'express';
import { Citizen, type SignedIn } from '../accounts/auth.guard.js';
import { SubmitInquiryDto, SubmitInquiryFormDto, SubmittedDto } from './inquiries.dto.js';
import { InquiriesService } from './inquiries.service.js';
import { UPLOAD_FIELDS, UploadInterceptor, type UploadedMedia } from './upload.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

@ApiTags('inquiries')
@ApiBearerAuth()
@Controller('inquiries')
export class InquiriesController {
  constructor(private readonly inquiries: InquiriesService) {}

  @Post()
  @UseInterceptors(UploadInterceptor, FileFieldsInterceptor(UPLOAD_FIELDS))
  @ApiOperation({
    summary: '提交诉求（可匿名，可附最多 9 张照片和 1 个视频）',
    description: '登录后提交归入“我的诉求”；未登录提交返回 followUpToken。答复在诉求及其事件写入数据库后才返回。',
  })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ type: SubmitInquiryFormDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '8–128 个字符；重试同一请求时带相同的值，只会生成一件诉求' })
  @ApiCreatedResponse({ type: SubmittedDto })
  @ApiOkResponse({ type: SubmittedDto, description: '相同 Idempotency-Key 的重复请求：返回第一次的答复' })
  async submit(
    @Body() body: SubmitInquiryDto,
    @UploadedFiles() files: UploadedMedia | undefined,
    @Citizen() citizen: SignedIn | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubmittedDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new CodedError('invalid', 'idempotency.bad_key', 'Idempotency-Key 须为 8 到 128 个字母、数字或 _ . : - 字符。');
    }
    const { answer, replayed } = await this.inquiries.submit(body, files ?? {}, citizen, idempotencyKey);
    if (replayed) {
      res.status(200);
      res.setHeader('Idempotent-Replayed', 'true');
    }
    return answer;
  }
}
