import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { close, listen } from '../../support/stand-ins/http-util.js';

export interface ReceivedHook {
  body: Record<string, any>;
  timestamp: string;
  signature: string;
  deliveryId: string;
  verified: boolean;
}

/**
 * A unit's webhook endpoint, as a unit would write it: it recomputes the HMAC itself (independently of the
 * notifier's code) and only counts requests whose signature verifies.
 */
export class WebhookReceiver {
  readonly hooks: ReceivedHook[] = [];
  requests = 0;
  private readonly statuses: number[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly secret: string,
  ) {}

  static async start(secret: string, path = '/wenzheng/hook'): Promise<WebhookReceiver> {
    let self: WebhookReceiver | undefined;
    const { server, url } = await listen((req, body) => {
      self!.requests++;
      const status = self!.statuses.shift();
      if (status) return { status, json: { error: 'scripted' } };
      const timestamp = String(req.headers['x-wenzheng-timestamp'] ?? '');
      const signature = String(req.headers['x-wenzheng-signature'] ?? '');
      const expected = `sha256=${createHmac('sha256', self!.secret).update(`${timestamp}.${body}`).digest('hex')}`;
      const verified = signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
      if (!verified) return { status: 401, json: { error: 'bad signature' } };
      self!.hooks.push({ body: JSON.parse(body), timestamp, signature, deliveryId: String(req.headers['x-wenzheng-delivery'] ?? ''), verified });
      return { status: 200, json: { ok: true } };
    });
    self = new WebhookReceiver(server, `${url}${path}`, secret);
    return self;
  }

  /** The next `times` requests are answered with `status`. */
  failWith(status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.statuses.push(status);
  }

  close(): Promise<void> {
    return close(this.server);
  }
}
