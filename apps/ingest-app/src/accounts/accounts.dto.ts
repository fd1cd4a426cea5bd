import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CredentialsDto {
  @ApiProperty({ example: '13912345678', description: '中国大陆手机号（可带 +86、空格或短横线）' })
  @IsString()
  @Matches(/^(\+?86)?[\s-]?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}$/, { message: 'phone 必须是中国大陆手机号' })
  phone!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @Length(8, 128, { message: 'password 长度须为 8 到 128 个字符' })
  password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: '登录时得到的刷新令牌' })
  @IsString()
  @Length(20, 200)
  refreshToken!: string;
}

export class TokensDto {
  @ApiProperty() accountId!: string;
  @ApiProperty({ description: 'JWT 访问令牌，放在 Authorization: Bearer 头中' }) accessToken!: string;
  @ApiProperty({ description: '访问令牌有效秒数' }) expiresIn!: number;
  @ApiProperty({ description: '换取新访问令牌用；每次使用后作废并换发新的' }) refreshToken!: string;
}
