import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../cases/cases.dto.js';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() || undefined : value);

export class PortalSearchDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '关键词（标题、内容、答复）', maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100, { message: 'q 不能超过 100 个字符' })
  q?: string;

  @ApiPropertyOptional({ description: '承办单位 id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  unitId?: string;

  @ApiPropertyOptional({ description: '问题分类' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string;

  @ApiPropertyOptional({ description: '县区' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  county?: string;

  @ApiPropertyOptional({ description: '受理时间起（含），ISO 日期或时间', example: '2026-11-01' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from 必须是日期，例如 2026-11-01' })
  from?: Date;

  @ApiPropertyOptional({ description: '受理时间止（不含）', example: '2026-12-01' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to 必须是日期，例如 2026-12-01' })
  to?: Date;
}

export class PublicPhotoDto {
  @ApiProperty() url!: string;
  @ApiPropertyOptional() thumbnailUrl?: string;
}

export class PublicCaseDto {
  @ApiProperty() inquiryId!: string;
  @ApiPropertyOptional() trackingNo?: string;
  @ApiPropertyOptional({ description: '已脱敏' }) title?: string;
  @ApiProperty({ description: '已脱敏' }) content!: string;
  @ApiPropertyOptional() category?: string;
  @ApiPropertyOptional() county?: string;
  @ApiPropertyOptional() unitName?: string;
  @ApiPropertyOptional() receivedAt?: string;
  @ApiProperty() repliedAt!: string;
  @ApiProperty({ description: '官方答复（已脱敏）' }) reply!: string;
  @ApiProperty() status!: string;
  @ApiProperty() pageViews!: number;
}

export class PublicCaseDetailDto extends PublicCaseDto {
  @ApiProperty({ type: [PublicPhotoDto], description: '经审核公开的照片' }) photos!: PublicPhotoDto[];
}

export class PublicCasePageDto {
  @ApiProperty({ type: [PublicCaseDto] }) items!: PublicCaseDto[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class FiguresDto {
  @ApiProperty() received!: number;
  @ApiProperty() replied!: number;
  @ApiPropertyOptional({ nullable: true, description: '答复率（0–1）' }) replyRate!: number | null;
  @ApiPropertyOptional({ nullable: true, description: '按时答复率（0–1，相对已答复）' }) onTimeRate!: number | null;
  @ApiPropertyOptional({ nullable: true, description: '满意率（满意+基本满意，0–1，相对已评价）' }) satisfactionRate!: number | null;
}

export class CityFiguresDto extends FiguresDto {
  @ApiProperty() pageViews!: number;
}

export class UnitFiguresDto extends FiguresDto {
  @ApiProperty() unitId!: string;
  @ApiProperty() unitName!: string;
}
