import { Injectable } from '@nestjs/common';
import { ChannelMediaRepository } from '@app/common/channel/channel-media.repository.js';

@Injectable()
export class MediaRepository extends ChannelMediaRepository {
  constructor() {
    super('wechat');
  }
}
