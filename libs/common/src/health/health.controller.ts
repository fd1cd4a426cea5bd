import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Kafka, Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { PlatformMetrics } from '../metrics/metrics.js';
import { KAFKA } from '../platform/tokens.js';

const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

@Controller()
export class HealthController {
  private admin?: Admin;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly metrics: PlatformMetrics,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers. Every request a service takes is committed to PostgreSQL with its outbox
   * rows, and the relay and consumers catch up once the brokers are back, so an unreachable broker makes a
   * service `degraded` (200) rather than not ready: a proxy that routes by this check keeps taking citizens'
   * submissions during a broker outage.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    const [database, kafka] = await Promise.all([this.checkDatabase(), this.checkKafka()]);
    const ready = database === 'ok';
    res.status(ready ? 200 : 503);
    return { status: !ready ? 'not ready' : kafka === 'ok' ? 'ready' : 'degraded', checks: { database, kafka } };
  }

  @Get('metrics')
  async prometheus(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }

  private async checkDatabase(): Promise<string> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 'PostgreSQL');
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    }
  }

  private async checkKafka(): Promise<string> {
    try {
      if (!this.admin) {
        const admin = this.kafka.admin();
        await withTimeout(admin.connect(), 'Kafka');
        this.admin = admin;
      }
      await withTimeout(this.admin.describeCluster(), 'Kafka');
      return 'ok';
    } catch (error) {
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = undefined;
      return (error as Error).message;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
