import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INQUIRY_TYPES, type InquiryType } from '@app/common';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNumber, IsString, Length, Max, MaxLength, Min, ValidateIf } from 'class-validator';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || value === '') return undefined;
  if (value === true || value === 'true' || value === '1' || value === 'on') return true;
  if (value === false || value === 'false' || value === '0' || value === 'off') return false;
  return value;
};
/**
 * Only an absent field is optional. class-validator's `@IsOptional()` also lets `null` through unchecked,
 * and a null `typeHint` then failed the event contract after validation: a 500 (hostile-input tests).
 */
const Optional = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);
const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** The text fields of a submission (multipart/form-data fields, or JSON when there are no files). */
export class SubmitInquiryDto {
  @ApiPropertyOptional({ enum: INQUIRY_TYPES, description: '诉求类型' })
  @Optional()
  @IsIn(INQUIRY_TYPES, { message: `typeHint 只能是 ${INQUIRY_TYPES.join('、')} 之一` })
  typeHint?: InquiryType;

  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @Transform(trim)
  @IsString()
  @MaxLength(200, { message: 'title 不能超过 200 个字符' })
  title?: string;

  @ApiProperty({ minLength: 5, maxLength: 5000, description: '诉求内容' })
  @Transform(trim)
  @IsString({ message: 'content 必须填写' })
  @Length(5, 5000, { message: 'content 长度须为 5 到 5000 个字符' })
  content!: string;

  @ApiPropertyOptional({ minimum: -90, maximum: 90 })
  @Optional()
  @Type(() => Number)
  @IsNumber({}, { message: 'latitude 必须是数字' })
  @Min(-90)
  @Max(90)
  latitude?: number;

  @ApiPropertyOptional({ minimum: -180, maximum: 180 })
  @Optional()
  @Type(() => Number)
  @IsNumber({}, { message: 'longitude 必须是数字' })
  @Min(-180)
  @Max(180)
  longitude?: number;

  @ApiPropertyOptional({ maxLength: 500, description: '地址文字' })
  @Optional()
  @Transform(trim)
  @IsString()
  @MaxLength(500, { message: 'address 不能超过 500 个字符' })
  address?: string;

  @ApiPropertyOptional({ default: true, description: '公开时是否匿名显示（默认是）' })
  @Optional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'anonymous 只能是 true 或 false' })
  anonymous?: boolean;
}

/** The OpenAPI picture of the multipart form: the fields plus the files. */
export class SubmitInquiryFormDto extends SubmitInquiryDto {
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'binary' }, maxItems: 9, description: '照片（JPEG、PNG、WebP、HEIC），最多 9 张' })
  photos?: unknown[];

  @ApiPropertyOptional({ type: 'string', format: 'binary', description: '视频（MP4、MOV），最多 1 个' })
  video?: unknown;
}

export class SubmittedDto {
  @ApiProperty() inquiryId!: string;
  @ApiProperty({ example: 'YL20261127-000123' }) trackingNo!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty() attachments!: number;
  @ApiPropertyOptional({ description: '匿名提交时返回：查询和评价此件时放在 X-Follow-Up-Token 头中，请妥善保存' })
  followUpToken?: string;
}
