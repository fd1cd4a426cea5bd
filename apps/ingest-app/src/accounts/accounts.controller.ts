import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CredentialsDto, RefreshDto, TokensDto } from './accounts.dto.js';
import { AccountsService } from './accounts.service.js';

@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('register')
  @ApiOperation({ summary: '用手机号和密码注册' })
  @ApiCreatedResponse({ type: TokensDto })
  register(@Body() body: CredentialsDto): Promise<TokensDto> {
    return this.accounts.register(body.phone, body.password);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: '登录' })
  @ApiOkResponse({ type: TokensDto })
  login(@Body() body: CredentialsDto): Promise<TokensDto> {
    return this.accounts.login(body.phone, body.password);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: '用刷新令牌换取新的访问令牌和刷新令牌' })
  @ApiOkResponse({ type: TokensDto })
  refresh(@Body() body: RefreshDto): Promise<TokensDto> {
    return this.accounts.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: '退出登录：作废刷新令牌' })
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.accounts.logout(body.refreshToken);
  }
}
