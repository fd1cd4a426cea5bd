import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventProducer, TOPICS } from '@app/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { readRouterConfig } from '../../apps/router/src/config.js';
import { RouterModule } from '../../apps/router/src/router.module.js';
import { newInquiry } from '../support/builders.js';
import { testKafka, waitFor } from '../support/helpers.js';
import { LatePort } from '../support/late-port.js';
import { serviceEnv, TEST_DATABASE_URL, testBrokers } from '../support/test-env.js';

describe('a service started before PostgreSQL', () => {
  let late: LatePort;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    late = await LatePort.reserve();
  });

  afterAll(async () => {
    await app?.close();
    await late.close();
  });

  const routerOn = (port: number, waitSeconds: string) => {
    const url = new URL(TEST_DATABASE_URL);
    url.host = `127.0.0.1:${port}`;
    return readRouterConfig(serviceEnv({ ROUTER_PORT: '0', DATABASE_URL: url.toString(), DATABASE_BOOT_WAIT_SECONDS: waitSeconds }));
  };

  it('gives up at once when told not to wait, naming the refused connection', async () => {
    const moduleRef = Test.createTestingModule({ imports: [RouterModule.forRoot(routerOn(late.port, '0'))] });
    await expect(moduleRef.compile()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('waits for the database to come up, then boots and answers ready', async () => {
    const started = Date.now();
    const target = new URL(TEST_DATABASE_URL);
    setTimeout(() => void late.open(target.hostname, Number(target.port || 5432)), 1500);
    const moduleRef = await Test.createTestingModule({ imports: [RouterModule.forRoot(routerOn(late.port, '60'))] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    const ready = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(ready.body.checks).toEqual({ database: 'ok', kafka: 'ok' });
  }, 60_000);
});

describe('a service started while no broker answers', () => {
  let late: LatePort;
  let app: INestApplication | undefined;
  let producer: EventProducer;

  beforeAll(async () => {
    late = await LatePort.reserve();
    producer = new EventProducer(testKafka(), 'ingest-app');
  });

  afterAll(async () => {
    await app?.close();
    await producer.disconnect();
    await late.close();
  });

  it('serves at once, ready but degraded, and routes what waited once the broker answers', async () => {
    const started = Date.now();
    const config = readRouterConfig(serviceEnv({ ROUTER_PORT: '0', KAFKA_BROKERS: `127.0.0.1:${late.port}` }));
    const moduleRef = await Test.createTestingModule({ imports: [RouterModule.forRoot(config)] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    expect(Date.now() - started).toBeLessThan(15_000);

    // A proxy that routes by /ready keeps sending requests: what they commit waits in the outbox.
    const degraded = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.checks.database).toBe('ok');
    expect(degraded.body.checks.kafka).toMatch(/Kafka|ECONNREFUSED|connect/i);

    const inquiry = newInquiry();
    await producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    const [host, port] = testBrokers().split(',')[0].split(':');
    await late.open(host, Number(port));
    const dataSource = app.get(DataSource);
    await waitFor(async () => {
      const rows: { status: string }[] = await dataSource.query('SELECT status FROM router.cases WHERE inquiry_id = $1', [inquiry.inquiryId]);
      return rows[0] && !['received', 'classified'].includes(rows[0].status);
    }, 'the inquiry published during the outage, routed', 90_000);
    const ready = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', kafka: 'ok' } });
  }, 120_000);
});
