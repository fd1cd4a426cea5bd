import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { PageQueryDto } from '../cases/cases.dto.js';

export class NotificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ default: false, description: '只看未读' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean({ message: 'unread 只能是 true 或 false' })
  unread?: boolean;
}

export class MarkReadDto {
  @ApiPropertyOptional({ type: [String], maxItems: 100, description: '要标为已读的通知；不填则全部标为已读' })
  @IsOptional()
  @IsArray({ message: 'ids 必须是数组' })
  @ArrayMinSize(1, { message: 'ids 不能为空数组；全部已读请不填 ids' })
  @ArrayMaxSize(100, { message: 'ids 最多 100 个' })
  @IsString({ each: true, message: 'ids 的每一项必须是字符串' })
  @Length(1, 64, { each: true, message: 'ids 的每一项长度须为 1 到 64 个字符' })
  ids?: string[];
}

export class NotificationDto {
  @ApiProperty() id!: string;
  @ApiPropertyOptional() inquiryId?: string;
  @ApiProperty({ description: 'reply、rejection、survey、survey_reminder、info_request、acknowledgement' }) purpose!: string;
  @ApiProperty() title!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ description: '诉求详情页' }) link!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() read!: boolean;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) items!: NotificationDto[];
  @ApiProperty() total!: number;
  @ApiProperty({ description: '未读数' }) unread!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class UnreadCountDto {
  @ApiProperty({ description: '未读数' }) unread!: number;
}
