import { createHash, timingSafeEqual } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Inject, Injectable, Param, Post, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CodedError } from '@app/common/http/coded-error.js';
import type { CitizenRequest } from '../accounts/auth.guard.js';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';
import { ApiKeyDto, IssueApiKeyDto, IssuedApiKeyDto } from './api-keys.dto.js';
import { ApiKeysService } from './api-keys.service.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** `X-Admin-Token` must equal OPEN311_ADMIN_TOKEN (compared in constant time); without one configured, closed. */
@Injectable()
export class Open311AdminGuard implements CanActivate {
  constructor(@Inject(INGEST_APP_CONFIG) private readonly config: IngestAppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.env.OPEN311_ADMIN_TOKEN;
    if (!expected) throw new CodedError('forbidden', 'open311.admin_disabled', '未配置 OPEN311_ADMIN_TOKEN，API key 管理已关闭。');
    const request = context.switchToHttp().getRequest<CitizenRequest>();
    const given = request.header('x-admin-token');
    // No credential at all is a 401; a signed-in citizen (a valid token of another role) or a wrong token a 403.
    if (!given && !request.citizen) throw new CodedError('unauthenticated', 'open311.admin_token_missing', '需要管理令牌（X-Admin-Token）。');
    if (!given || !timingSafeEqual(digest(given), digest(expected))) {
      throw new CodedError('forbidden', 'open311.admin_token', '管理令牌缺失或不正确（X-Admin-Token）。');
    }
    return true;
  }
}

@ApiTags('open311 admin')
@ApiHeader({ name: 'X-Admin-Token', required: true })
@UseGuards(Open311AdminGuard)
@Controller('open311/admin/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: '为 Open311 客户端应用签发 API key（只显示一次）' })
  @ApiCreatedResponse({ type: IssuedApiKeyDto })
  issue(@Body() body: IssueApiKeyDto): Promise<IssuedApiKeyDto> {
    return this.keys.issue(body.name, body.ratePerMinute);
  }

  @Get()
  @ApiOperation({ summary: '列出 API key（不含密钥本身）' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  list(): Promise<ApiKeyDto[]> {
    return this.keys.list();
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiOperation({ summary: '吊销 API key' })
  @ApiNoContentResponse()
  revoke(@Param('keyId') keyId: string): Promise<void> {
    return this.keys.revoke(keyId);
  }
}
