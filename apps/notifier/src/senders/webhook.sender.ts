import { DELIVERY_HEADER, signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature.js';
import { vendorFetch, VendorError, type DeliveryResult, type SendContext, type Sender, type WebhookMessage } from './sender.js';

export class WebhookSender implements Sender<WebhookMessage> {
  constructor(private readonly timeoutMs: number) {}

  async send(message: WebhookMessage, context: SendContext): Promise<DeliveryResult> {
    if (!message.url || !message.secret) throw new VendorError('webhook', 'no_webhook', `unit ${message.unitId} has no webhook`);
    const body = JSON.stringify({ event: message.event, deliveryId: context.messageId, ...message.body });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await vendorFetch(
      'webhook',
      message.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(message.secret, timestamp, body),
          [DELIVERY_HEADER]: context.messageId,
        },
        body,
      },
      this.timeoutMs,
    );
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new VendorError('webhook', `http_${response.status}`, `webhook answered ${response.status}`);
    return { vendorRef: `http_${response.status}` };
  }
}
