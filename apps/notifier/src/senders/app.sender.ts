import { vendorFetch, VendorError, type AppMessage, type DeliveryResult, type SendContext, type Sender } from './sender.js';

/**
 * The app's inbox is ingest-app's read model (fed by case.events.v1 and channel.outbound.v1); this sender only
 * rings the push gateway when one is configured, and otherwise counts the inbox entry as the delivery.
 */
export class AppSender implements Sender<AppMessage> {
  constructor(
    private readonly pushUrl: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async send(message: AppMessage, context: SendContext): Promise<DeliveryResult> {
    if (!this.pushUrl) return { vendorRef: 'inbox' };
    const response = await vendorFetch(
      'app',
      this.pushUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ id: context.messageId, userId: message.userId, title: message.title, body: message.text, link: message.link }),
      },
      this.timeoutMs,
    );
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new VendorError('app', `http_${response.status}`, `push gateway answered ${response.status}`);
    return { vendorRef: 'push' };
  }
}
