import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Citizen, RequireAccount, type SignedIn } from '../accounts/auth.guard.js';
import { MarkReadDto, NotificationPageDto, NotificationQueryDto, UnreadCountDto } from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

@ApiTags('my notifications')
@ApiBearerAuth()
@Controller('me/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @RequireAccount()
  @ApiOperation({ summary: '我的消息通知（需登录），含未读数' })
  @ApiOkResponse({ type: NotificationPageDto })
  list(@Citizen() citizen: SignedIn, @Query() query: NotificationQueryDto): Promise<NotificationPageDto> {
    return this.notifications.list(citizen, query.page, query.pageSize, query.unread);
  }

  @Post('read')
  @HttpCode(200)
  @RequireAccount()
  @ApiOperation({ summary: '标为已读：指定的通知，或不填 ids 时全部' })
  @ApiOkResponse({ type: UnreadCountDto })
  markRead(@Citizen() citizen: SignedIn, @Body() body: MarkReadDto): Promise<UnreadCountDto> {
    return this.notifications.markRead(citizen, body.ids);
  }
}
