import { Injectable } from '@nestjs/common';
import { PlatformMetrics } from '@app/common';
import { Counter, Histogram } from 'prom-client';

/** The notifier's own figures, on the service's /metrics next to the platform's. */
@Injectable()
export class DeliveryMetrics {
  readonly outcomes: Counter<'channel' | 'outcome'>;
  readonly sendSeconds: Histogram<'channel'>;

  constructor(platform: PlatformMetrics) {
    this.outcomes = new Counter({
      name: 'wz_notifier_deliveries_total',
      help: 'Delivery attempts by channel and outcome (sent, retry, dead, uncertain, fallback, refresh_token, wait_window)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [platform.registry],
    });
    this.sendSeconds = new Histogram({
      name: 'wz_notifier_send_seconds',
      help: 'Time of one vendor call, by channel',
      labelNames: ['channel'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [platform.registry],
    });
  }
}
