import { Controller, UseFilters } from '@nestjs/common';
import { ChannelErrorFilter } from '@app/common/channel/channel-error.filter.js';
import { ChannelPushController } from '@app/common/channel/channel-push.controller.js';
import { PushService } from './push.service.js';

/** `GET|POST /weibo/:uid`: Weibo pushes are JSON. */
@Controller('weibo')
@UseFilters(ChannelErrorFilter)
export class PushController extends ChannelPushController {
  protected readonly accept = { types: /^(application\/json|text\/json|text\/plain)(;|$)/i, name: 'JSON' };

  constructor(protected readonly push: PushService) {
    super();
  }
}
