import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class IssueApiKeyDto {
  @ApiProperty({ description: '客户端应用名称', maxLength: 100 })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'name 必须填写' })
  @Length(1, 100, { message: 'name 长度须为 1 到 100 个字符' })
  name!: string;

  @ApiPropertyOptional({ description: '每分钟最多提交件数（默认 OPEN311_RATE_LIMIT_PER_KEY）', minimum: 1, maximum: 100000 })
  @IsOptional()
  @IsInt({ message: 'ratePerMinute 必须是整数' })
  @Min(1)
  @Max(100000)
  ratePerMinute?: number;
}

export class ApiKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() ratePerMinute!: number;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional() revokedAt?: string;
}

export class IssuedApiKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() ratePerMinute!: number;
  @ApiProperty({ description: '只在签发时显示一次；服务器只保存其哈希' }) apiKey!: string;
}
