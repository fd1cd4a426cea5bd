import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CityFiguresDto, PortalSearchDto, PublicCaseDetailDto, PublicCasePageDto, UnitFiguresDto } from './portal.dto.js';
import { PortalService } from './portal.service.js';

@ApiTags('public portal')
@Controller('portal')
export class PortalController {
  constructor(private readonly portal: PortalService) {}

  @Get('cases')
  @ApiOperation({ summary: '已答复公开的诉求：按关键词、单位、分类、县区、日期查询' })
  @ApiOkResponse({ type: PublicCasePageDto })
  search(@Query() query: PortalSearchDto): Promise<PublicCasePageDto> {
    return this.portal.search(query);
  }

  @Get('cases/:inquiryId')
  @ApiOperation({ summary: '公开诉求详情（计入浏览量）' })
  @ApiOkResponse({ type: PublicCaseDetailDto })
  detail(@Param('inquiryId') inquiryId: string): Promise<PublicCaseDetailDto> {
    return this.portal.detail(inquiryId);
  }

  @Get('figures')
  @ApiOperation({ summary: '全市数据：受理量、答复量、答复率、按时答复率、满意率、浏览量' })
  @ApiOkResponse({ type: CityFiguresDto })
  figures(): Promise<CityFiguresDto> {
    return this.portal.cityFigures();
  }

  @Get('units')
  @ApiOperation({ summary: '各承办单位数据' })
  @ApiOkResponse({ type: [UnitFiguresDto] })
  units(): Promise<UnitFiguresDto[]> {
    return this.portal.unitFigures();
  }

  @Get('media/photos/:prefix/:file')
  @ApiOperation({ summary: '经审核公开的照片或缩略图' })
  @ApiProduces('image/jpeg')
  async photo(@Param('prefix') prefix: string, @Param('file') file: string): Promise<StreamableFile> {
    const stream = await this.portal.photo(`photos/${prefix}/${file}`);
    return new StreamableFile(stream, { type: 'image/jpeg' });
  }
}
