import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Citizen, RequireAccount, type SignedIn } from '../accounts/auth.guard.js';
import { MAX_PHOTOS, UploadInterceptor } from '../inquiries/upload.js';
import { AcceptedDto, AddInformationDto, AddInformationFormDto, OwnCaseDetailDto, OwnCasePageDto, PageQueryDto, RateDto } from './cases.dto.js';
import { CasesService } from './cases.service.js';

const TOKEN_HEADER = { name: 'X-Follow-Up-Token', required: false, description: '匿名提交时得到的 followUpToken' };

@ApiTags('my cases')
@ApiBearerAuth()
@Controller()
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Get('me/cases')
  @RequireAccount()
  @ApiOperation({ summary: '我的诉求（需登录）' })
  @ApiOkResponse({ type: OwnCasePageDto })
  list(@Citizen() citizen: SignedIn, @Query() query: PageQueryDto): Promise<OwnCasePageDto> {
    return this.cases.list(citizen, query.page, query.pageSize);
  }

  @Get('cases/:inquiryId')
  @ApiOperation({ summary: '我的诉求详情与办理进程（登录，或匿名时带 X-Follow-Up-Token）' })
  @ApiHeader(TOKEN_HEADER)
  @ApiOkResponse({ type: OwnCaseDetailDto })
  detail(
    @Param('inquiryId') inquiryId: string,
    @Citizen() citizen: SignedIn | undefined,
    @Headers('x-follow-up-token') followUpToken: string | undefined,
  ): Promise<OwnCaseDetailDto> {
    return this.cases.detail(inquiryId, { citizen, followUpToken });
  }

  @Post('cases/:inquiryId/information')
  @HttpCode(202)
  @UseInterceptors(UploadInterceptor, FileFieldsInterceptor([{ name: 'photos', maxCount: MAX_PHOTOS }]))
  @ApiOperation({ summary: '补充信息（办结前）：文字，可附最多 9 张照片' })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: AddInformationFormDto })
  @ApiHeader(TOKEN_HEADER)
  @ApiOkResponse({ type: AcceptedDto })
  addInformation(
    @Param('inquiryId') inquiryId: string,
    @Body() body: AddInformationDto,
    @UploadedFiles() files: { photos?: Express.Multer.File[] } | undefined,
    @Citizen() citizen: SignedIn | undefined,
    @Headers('x-follow-up-token') followUpToken: string | undefined,
  ): Promise<AcceptedDto> {
    const photos = (files?.photos ?? []).map((f) => f.path);
    return this.cases.addInformation(inquiryId, { citizen, followUpToken }, body.text, photos);
  }

  @Post('cases/:inquiryId/rating')
  @HttpCode(202)
  @ApiOperation({ summary: '评价答复：满意 / 基本满意 / 不满意' })
  @ApiHeader(TOKEN_HEADER)
  @ApiOkResponse({ type: AcceptedDto })
  rate(
    @Param('inquiryId') inquiryId: string,
    @Body() body: RateDto,
    @Citizen() citizen: SignedIn | undefined,
    @Headers('x-follow-up-token') followUpToken: string | undefined,
  ): Promise<AcceptedDto> {
    return this.cases.rate(inquiryId, { citizen, followUpToken }, body.rating, body.comment);
  }
}
