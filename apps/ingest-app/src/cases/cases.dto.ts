import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RATINGS, type Rating } from '@app/common';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class PageQueryDto {
  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page 必须是正整数' })
  @Min(1)
  @Max(10000)
  page?: number;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'pageSize 必须是整数' })
  @Min(1)
  @Max(100, { message: 'pageSize 不能超过 100' })
  pageSize?: number;
}

export class AddInformationDto {
  @ApiProperty({ minLength: 1, maxLength: 5000, description: '补充说明' })
  @Transform(trim)
  @IsString()
  @Length(1, 5000, { message: 'text 长度须为 1 到 5000 个字符' })
  text!: string;
}

export class AddInformationFormDto extends AddInformationDto {
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'binary' }, maxItems: 9, description: '照片（JPEG、PNG、WebP、HEIC）' })
  photos?: unknown[];
}

export class RateDto {
  @ApiProperty({ enum: RATINGS })
  @IsIn(RATINGS, { message: `rating 只能是 ${RATINGS.join('、')} 之一` })
  rating!: Rating;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(1000, { message: 'comment 不能超过 1000 个字符' })
  comment?: string;
}

export class TimelineEntryDto {
  @ApiProperty({ description: 'Received, Assigned, Accepted, ReplyPosted, FeedbackRecorded, Closed, …' }) type!: string;
  @ApiProperty() at!: string;
  @ApiPropertyOptional() unitName?: string;
  @ApiPropertyOptional({ description: '答复内容（ReplyPosted）' }) text?: string;
  @ApiPropertyOptional() rating?: string;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional() replyDeadline?: string;
  @ApiPropertyOptional({ description: '需要您补充的内容（InfoRequested）' }) question?: string;
}

export class OwnCaseDto {
  @ApiProperty() inquiryId!: string;
  @ApiProperty() trackingNo!: string;
  @ApiProperty({ description: 'submitted（尚未受理）、received、queued_for_desk、assigned、accepted、replied、rated、reopened、closed、merged、rejected' })
  status!: string;
  @ApiPropertyOptional() typeHint?: string;
  @ApiPropertyOptional() title?: string;
  @ApiProperty() content!: string;
  @ApiProperty() anonymous!: boolean;
  @ApiProperty() receivedAt!: string;
  @ApiPropertyOptional() unitName?: string;
  @ApiPropertyOptional() replyText?: string;
  @ApiPropertyOptional() repliedAt?: string;
  @ApiPropertyOptional() replyDeadline?: string;
  @ApiPropertyOptional() rating?: string;
  @ApiProperty() attachments!: number;
}

export class OwnCaseDetailDto extends OwnCaseDto {
  @ApiProperty({ type: [TimelineEntryDto] }) timeline!: TimelineEntryDto[];
}

export class OwnCasePageDto {
  @ApiProperty({ type: [OwnCaseDto] }) items!: OwnCaseDto[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class AcceptedDto {
  @ApiProperty() inquiryId!: string;
  @ApiProperty({ example: 'accepted' }) status!: 'accepted';
}
