import { Injectable } from '@nestjs/common';
import { ChannelPushRepository } from '@app/common/channel/channel-push.repository.js';

/** `wechat_inbound` (de-duplication keys and answers) and `wechat_media_jobs`. */
@Injectable()
export class PushRepository extends ChannelPushRepository {
  constructor() {
    super('wechat');
  }
}
