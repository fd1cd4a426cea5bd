import type { AppSender } from './app.sender.js';
import type { EmailSender } from './email.sender.js';
import type { DeliveryResult, Message, SendContext } from './sender.js';
import type { WebhookSender } from './webhook.sender.js';
import type { WechatSender } from './wechat.sender.js';
import type { WeiboSender } from './weibo.sender.js';

/** The one place a message meets its channel's implementation. */
export class Senders {
  constructor(
    private readonly email: EmailSender,
    private readonly webhook: WebhookSender,
    private readonly wechat: WechatSender,
    private readonly weibo: WeiboSender,
    private readonly app: AppSender,
  ) {}

  send(message: Message, context: SendContext): Promise<DeliveryResult> {
    switch (message.channel) {
      case 'email':
        return this.email.send(message, context);
      case 'webhook':
        return this.webhook.send(message, context);
      case 'wechat':
        return this.wechat.send(message, context);
      case 'weibo':
        return this.weibo.send(message, context);
      case 'app':
        return this.app.send(message, context);
      default: {
        const unknown: never = message;
        throw new Error(`no sender for ${JSON.stringify(unknown)}`);
      }
    }
  }
}
