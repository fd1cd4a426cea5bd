import { Controller, UseFilters } from '@nestjs/common';
import { ChannelErrorFilter } from '@app/common/channel/channel-error.filter.js';
import { ChannelPushController } from '@app/common/channel/channel-push.controller.js';
import { PushService } from './push.service.js';

/** `GET|POST /wechat/:appId`: WeChat pushes are XML. */
@Controller('wechat')
@UseFilters(ChannelErrorFilter)
export class PushController extends ChannelPushController {
  protected readonly accept = { types: /^(text\/xml|application\/xml|text\/plain)(;|$)/i, name: 'XML' };

  constructor(protected readonly push: PushService) {
    super();
  }
}
