import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventProducer, newId, TOPICS, type EventOf, type PayloadOf } from '@app/common';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { readNotifierConfig } from '../../../apps/notifier/src/config.js';
import { NotifierModule } from '../../../apps/notifier/src/notifier.module.js';
import { NOTIFIER_GROUPS } from '../../../apps/notifier/src/planning/notification.consumer.js';
import { WechatApiStandIn } from '../../support/stand-ins/wechat-api.js';
import { WeiboApiStandIn } from '../../support/stand-ins/weibo-api.js';
import { testKafka, TopicReader, waitFor } from '../../support/helpers.js';
import { serviceEnv } from '../../support/test-env.js';
import { SmtpSink } from './smtp-sink.js';

export type DeliveryEvent = EventOf<typeof TOPICS.deliveryEvents>;

/** The notifier booted on the real broker and database, with every vendor it calls on loopback. */
export class NotifierHarness {
  private constructor(
    readonly app: INestApplication,
    readonly kafka: Kafka,
    readonly producer: EventProducer,
    readonly deliveryEvents: TopicReader,
    readonly wechat: WechatApiStandIn,
    readonly weibo: WeiboApiStandIn,
    readonly smtp: SmtpSink,
  ) {}

  static async start(env: Record<string, string> = {}, makeEnv = serviceEnv): Promise<NotifierHarness> {
    const [wechat, weibo, smtp] = await Promise.all([WechatApiStandIn.start(), WeiboApiStandIn.start(), SmtpSink.start()]);
    const config = readNotifierConfig(
      makeEnv({
        NOTIFIER_PORT: '0',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        WECHAT_API_BASE: wechat.url,
        WECHAT_APP_ID: wechat.appId,
        WECHAT_APP_SECRET: 'stand-in-secret',
        WECHAT_TEMPLATE_ID: 'TPL_CASE_PROGRESS',
        WEIBO_API_BASE: weibo.url,
        WEIBO_MESSAGE_API_BASE: weibo.url,
        WEIBO_ACCESS_TOKEN: weibo.accessToken,
        PORTAL_BASE_URL: 'https://wz.yulin.gov.cn/portal',
        CONSOLE_BASE_URL: 'https://wz.yulin.gov.cn/console',
        MEDIA_BASE_URL: 'https://wz.yulin.gov.cn/media',
        SUPERVISION_EMAILS: 'duban@jw.yulin.gov.cn',
        DISPATCH_POLL_MS: '50',
        DELIVERY_RETRY_BASE_MS: '100',
        DELIVERY_RETRY_MAX_MS: '400',
        SURVEY_DELAY_MS: '300',
        SURVEY_REMINDER_MS: '3000',
        WINDOW_WAIT_MS: '600000',
        ...env,
      }),
    );
    await skipBacklog(config.env.NOTIFIER_GROUP_PREFIX);
    await dropLeftoverDeliveries(config.env.DATABASE_URL);
    const moduleRef = await Test.createTestingModule({ imports: [NotifierModule.forRoot(config)] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.enableShutdownHooks();
    await app.init();
    const kafka = testKafka('notifier-test');
    const producer = new EventProducer(kafka, 'router');
    const deliveryEvents = await new TopicReader(kafka, TOPICS.deliveryEvents.name).start();
    return new NotifierHarness(app, kafka, producer, deliveryEvents, wechat, weibo, smtp);
  }

  get db(): DataSource {
    return this.app.get(DataSource);
  }

  caseEvent<T extends keyof (typeof TOPICS.caseEvents)['events'] & string>(type: T, payload: PayloadOf<typeof TOPICS.caseEvents, T>) {
    return this.producer.publish(TOPICS.caseEvents, type, payload);
  }

  eventsFor(filter: (e: DeliveryEvent) => boolean): DeliveryEvent[] {
    return this.deliveryEvents.values<DeliveryEvent>().filter(filter);
  }

  async deliveries(inquiryId: string): Promise<{ channel: string; purpose: string; status: string; mode: string | null; attempts: number; last_error: string | null }[]> {
    return this.db.query(
      `SELECT channel, purpose, status, mode, attempts, last_error FROM notifier.deliveries WHERE inquiry_id = $1 ORDER BY id`,
      [inquiryId],
    );
  }

  waitFor = waitFor;

  async stop(): Promise<void> {
    await this.deliveryEvents.stop();
    await this.producer.disconnect();
    await this.app.close();
    await Promise.all([this.wechat.close(), this.weibo.close(), this.smtp.close()]);
  }
}

/**
 * The notifier's groups are shared by every test file on the one broker; events other files published since the
 * last notifier stopped (router and desk tests reply to WeChat citizens too) would otherwise be sent by this one.
 */
async function skipBacklog(prefix: string): Promise<void> {
  const admin = testKafka('notifier-test-admin').admin();
  await admin.connect();
  try {
    for (const [name, contract] of Object.entries(NOTIFIER_GROUPS)) {
      await admin.resetOffsets({ groupId: `${prefix}.${name}`, topic: contract.name, earliest: false });
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Messages other test files planned but had not sent when their notifier stopped (survey reminders, window
 * waits, retries) would be sent by this one, to its own stand-ins, when they fall due.
 */
async function dropLeftoverDeliveries(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DO $$ BEGIN
        IF to_regclass('notifier.deliveries') IS NOT NULL THEN
          DELETE FROM notifier.deliveries WHERE status IN ('pending', 'sending');
        END IF;
      END $$`);
  } finally {
    await client.end();
  }
}

let seq = 0;

/** A case as the router announces it: `Received` with the citizen, for the notifier's read model. */
export function received(channel: 'wechat' | 'weibo' | 'app', overrides: Partial<PayloadOf<typeof TOPICS.caseEvents, 'Received'>> = {}) {
  seq++;
  const inquiryId = newId();
  const externalUserId = channel === 'wechat' ? `oWx${newId()}` : channel === 'weibo' ? String(2489518277000 + Math.floor(Math.random() * 1e6)) : `user-${newId()}`;
  const payload: PayloadOf<typeof TOPICS.caseEvents, 'Received'> = {
    inquiryId,
    at: new Date().toISOString(),
    actor: 'system',
    channel,
    trackingNo: `YL20261127-9${String(seq).padStart(5, '0')}${inquiryId.slice(-4)}`,
    title: '高家堡镇自来水停了三天',
    content: '神木市高家堡镇自来水已经停了三天，老人孩子用水困难，请问什么时候恢复供水？',
    receivedAt: new Date().toISOString(),
    citizen: { channel, externalUserId },
    attachments: [
      { kind: 'photo', objectKey: `inquiries/${inquiryId}/photo-1.jpg`, contentType: 'image/jpeg', bytes: 123456 },
    ],
    ...overrides,
  };
  return payload;
}

export const hoursFromNow = (h: number): string => new Date(Date.now() + h * 3600_000).toISOString();
