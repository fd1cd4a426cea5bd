import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventProducer, TOPICS, type EventOf } from '@app/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { readRouterConfig } from '../../apps/router/src/config.js';
import { RouterModule } from '../../apps/router/src/router.module.js';
import { newInquiry } from '../support/builders.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { serviceEnv } from '../support/test-env.js';

describe('services on the real broker and database', () => {
  let router: INestApplication;
  let producer: EventProducer;
  let caseEvents: TopicReader;

  beforeAll(async () => {
    const config = readRouterConfig(serviceEnv({ ROUTER_PORT: '0' }));
    const moduleRef = await Test.createTestingModule({ imports: [RouterModule.forRoot(config)] }).compile();
    router = moduleRef.createNestApplication({ logger: false });
    router.enableShutdownHooks();
    await router.init();
    const kafka = testKafka();
    producer = new EventProducer(kafka, 'ingest-app');
    caseEvents = await new TopicReader(kafka, TOPICS.caseEvents.name).start();
  });

  afterAll(async () => {
    await caseEvents.stop();
    await producer.disconnect();
    await router.close();
  });

  it('answers health, readiness and Prometheus metrics', async () => {
    await request(router.getHttpServer()).get('/health').expect(200, { status: 'ok' });
    const ready = await request(router.getHttpServer()).get('/ready').expect(200);
    expect(ready.body.checks).toEqual({ database: 'ok', kafka: 'ok' });
    const metrics = await request(router.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.text).toContain('wz_kafka_consumed_total');
    expect(metrics.text).toContain('wz_outbox_lag_seconds');
  });

  it('delivers an event produced by an ingestor to the router group, which records the case once and routes it', async () => {
    const inquiry = newInquiry();
    const submitted = await producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    await producer.publishEnvelopes(TOPICS.inquirySubmitted, [submitted]); // a redelivery

    type CaseEvent = EventOf<typeof TOPICS.caseEvents>;
    const received = await waitFor(
      () => caseEvents.values<CaseEvent>().find((e) => e.payload.inquiryId === inquiry.inquiryId),
      'the Received event',
    );
    expect(received.type).toBe('Received');
    expect(received.traceId).toBe(submitted.traceId);
    expect(received.source).toBe('router');

    const dataSource = router.get(DataSource);
    const rows = await dataSource.query('SELECT count(*)::int AS n FROM router.cases WHERE inquiry_id = $1', [inquiry.inquiryId]);
    expect(rows).toEqual([{ n: 1 }]);
    await waitFor(
      () => caseEvents.values<CaseEvent>().some((e) => e.payload.inquiryId === inquiry.inquiryId && e.type !== 'Received' && e.type !== 'Classified'),
      'the routing decision',
    );
    await new Promise((r) => setTimeout(r, 1000));
    const announced = caseEvents.values<CaseEvent>().filter((e) => e.payload.inquiryId === inquiry.inquiryId);
    // Once each, although the inquiry was delivered twice.
    expect(announced.map((e) => e.type).filter((t) => t === 'Received')).toHaveLength(1);
    expect(announced.map((e) => e.type)).toEqual(expect.arrayContaining(['Received', 'Classified']));
    expect(['Assigned', 'QueuedForDesk']).toContain(announced[announced.length - 1].type);
    expect(announced).toHaveLength(3);
  });
});
