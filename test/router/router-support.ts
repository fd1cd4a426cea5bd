import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { EventProducer, TOPICS, type EventOf } from '@app/common';
import { readRouterConfig, type RouterConfig } from '../../apps/router/src/config.js';
import { RouterModule } from '../../apps/router/src/router.module.js';
import type { StaffRole } from '../../apps/router/src/auth/staff-auth.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { serviceEnv } from '../support/test-env.js';

export type CaseEvent = EventOf<typeof TOPICS.caseEvents>;

export interface RouterHarness {
  app: INestApplication;
  config: RouterConfig;
  producer: EventProducer;
  caseEvents: TopicReader;
  outbound: TopicReader;
  token(role: StaffRole, sub?: string, unitId?: string): string;
  eventsOf(inquiryId: string): CaseEvent[];
  waitForEvent(inquiryId: string, type: string): Promise<CaseEvent>;
  close(): Promise<void>;
}

export async function startRouter(extraEnv: Record<string, string> = {}): Promise<RouterHarness> {
  const config = readRouterConfig(serviceEnv({ ROUTER_PORT: '0', ...extraEnv }));
  const moduleRef = await Test.createTestingModule({ imports: [RouterModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.enableShutdownHooks();
  await app.init();
  const kafka = testKafka();
  const producer = new EventProducer(kafka, 'ingest-app');
  const caseEvents = await new TopicReader(kafka, TOPICS.caseEvents.name).start();
  const outbound = await new TopicReader(kafka, TOPICS.channelOutbound.name).start();
  const jwt = new JwtService({ secret: config.env.ROUTER_JWT_SECRET });
  const eventsOf = (id: string) => caseEvents.values<CaseEvent>().filter((e) => e.payload.inquiryId === id);
  return {
    app,
    config,
    producer,
    caseEvents,
    outbound,
    token: (role, sub = `${role}-1`, unitId) => jwt.sign({ sub, role, ...(unitId ? { unitId } : {}) }, { algorithm: 'HS256' }),
    eventsOf,
    waitForEvent: (id, type) => waitFor(() => eventsOf(id).find((e) => e.type === type), `${type} of ${id}`),
    close: async () => {
      await caseEvents.stop();
      await outbound.stop();
      await producer.disconnect();
      await app.close();
    },
  };
}
