/**
 * Notifier benchmark: case events through Kafka, the notifier's consumer (read model + delivery rows in one
 * transaction), its persisted queue and dispatcher, out to the loopback WeChat stand-in and a real SMTP
 * server (smtp-server + mailparser), all started in this process. Needs KAFKA_BROKERS and DATABASE_URL
 * (bench/run.ts provides both). Per-channel rate caps are raised here so the pipeline, not the cap, is measured.
 */
import { performance } from 'node:perf_hooks';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import {
  allTopicNames,
  createKafka,
  createLogger,
  ensureTopics,
  EventProducer,
  newEnvelope,
  newId,
  TOPICS,
  type Envelope,
} from '@app/common';
import { DataSource } from 'typeorm';
import { readNotifierConfig } from '../apps/notifier/src/config.js';
import { NotifierModule } from '../apps/notifier/src/notifier.module.js';
import { SmtpSink } from '../test/notifier/support/smtp-sink.js';
import { WechatApiStandIn } from '../test/support/stand-ins/wechat-api.js';
import { WeiboApiStandIn } from '../test/support/stand-ins/weibo-api.js';
import { percentile, type BenchResult, type BenchRow } from './lib/bench-result.js';
import { progress } from './lib/progress.js';

const WECHAT_REPLIES = 1000;
const PACED_RATE = 20;
const PACED_SECONDS = 10;
const UNIT_EMAILS = 500;
const TIMEOUT_MS = 180_000;

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `ratePerSec` 0: as fast as the producer goes (a burst); otherwise paced in 20 steps a second. */
async function publishAll(producer: EventProducer, envelopes: Envelope[], sentAt?: Map<string, number>, keyOf?: (e: Envelope) => string, ratePerSec = 0): Promise<void> {
  const step = ratePerSec > 0 ? Math.max(1, Math.round(ratePerSec / 20)) : 200;
  const begin = performance.now();
  for (let i = 0; i < envelopes.length; i += step) {
    if (ratePerSec > 0) {
      const wait = begin + (i / ratePerSec) * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const batch = envelopes.slice(i, i + step);
    const t = performance.now();
    if (sentAt && keyOf) for (const e of batch) sentAt.set(keyOf(e), t);
    await producer.publishEnvelopes(TOPICS.caseEvents, batch);
  }
}

const caseEvent = (type: string, payload: unknown): Envelope => newEnvelope({ type, payload, source: 'bench' });

function received(inquiryId: string, trackingNo: string, openId: string): Envelope {
  return caseEvent('Received', {
    inquiryId,
    at: new Date().toISOString(),
    actor: 'system',
    channel: 'wechat',
    trackingNo,
    title: '小区门口路灯不亮',
    content: '榆阳区新建南路某小区门口的路灯已经坏了两周，晚上出行很不安全，希望尽快维修。',
    receivedAt: new Date().toISOString(),
    citizen: { channel: 'wechat', externalUserId: openId },
  });
}

async function waitUntil(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const until = Date.now() + TIMEOUT_MS;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    progress(what);
    await sleep(50);
  }
}

/** With no committed offset and `fromBeginning` off, only events after the join count: probe until one lands. */
async function waitForConsumers(app: INestApplication, producer: EventProducer): Promise<void> {
  const db = app.get(DataSource);
  const until = Date.now() + 60_000;
  for (;;) {
    const id = newId();
    await producer.publishEnvelopes(TOPICS.caseEvents, [received(id, `PROBE-${id}`, `probe-${id}`)]);
    await sleep(1000);
    const rows = await db.query(`SELECT 1 FROM case_contacts WHERE tracking_no LIKE 'PROBE-%' LIMIT 1`);
    if (rows.length) return;
    if (Date.now() > until) throw new Error('the notifier consumers never joined');
    progress('waiting for the notifier consumers to join');
  }
}

async function wechatReplies(app: INestApplication, producer: EventProducer, wechat: WechatApiStandIn, count: number, ratePerSec: number): Promise<BenchRow[]> {
  const db = app.get(DataSource);
  // Tagged per run: the database may hold earlier runs' rows.
  const tag = newId();
  const cases = Array.from({ length: count }, (_, i) => ({ inquiryId: newId(), trackingNo: `BENCH-${tag}-${i}`, openId: `oBench${tag}${i}` }));
  const readStart = performance.now();
  await publishAll(producer, cases.map((c) => received(c.inquiryId, c.trackingNo, c.openId)));
  await waitUntil('Received into the read model', async () => {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM case_contacts WHERE tracking_no LIKE $1`, [`BENCH-${tag}-%`]);
    return n >= count;
  });
  const readSeconds = (performance.now() - readStart) / 1000;

  const byOpenId = new Map(cases.map((c) => [c.openId, c.inquiryId]));
  const sentAt = new Map<string, number>();
  const replies = cases.map((c) =>
    caseEvent('ReplyPosted', {
      inquiryId: c.inquiryId,
      at: new Date().toISOString(),
      actor: 'bench',
      unitId: 'unit-bench',
      unitName: '榆阳区住建局',
      text: '经核查，该路段路灯线路老化，已于今日更换完毕，恢复照明。感谢您的反映！',
      attachments: [],
      onTime: true,
    }),
  );
  const start = performance.now();
  await publishAll(producer, replies, sentAt, (e) => (e.payload as { inquiryId: string }).inquiryId, ratePerSec);
  let plannedSeconds = 0;
  const planned = waitUntil('replies planned', async () => {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM deliveries WHERE purpose = 'reply' AND message->>'openId' LIKE $1`, [`oBench${tag}%`]);
    plannedSeconds = (performance.now() - start) / 1000;
    return n >= count;
  });
  await waitUntil(`WeChat replies: ${wechat.templates.length}/${count}`, () => wechat.templates.filter((m) => byOpenId.has(m.touser)).length >= count);
  const seconds = (performance.now() - start) / 1000;
  await planned;
  const latencies = wechat.templates.filter((m) => byOpenId.has(m.touser)).map((m) => m.receivedAt - sentAt.get(byOpenId.get(m.touser)!)!);
  const mode = ratePerSec > 0 ? `at ${ratePerSec}/s for ${count / ratePerSec} s` : `burst of ${count}`;
  const delivered: BenchRow = {
    name: `ReplyPosted → WeChat template message at the stand-in, ${mode}`,
    throughputPerSec: Math.round(count / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    messages: latencies.length,
  };
  if (ratePerSec > 0) return [delivered];
  return [
    { name: `Received → notifier read model, burst of ${count}`, throughputPerSec: Math.round(count / readSeconds), events: count },
    {
      name: `ReplyPosted → 3 delivery rows planned (consumer transaction), burst of ${count}`,
      throughputPerSec: Math.round(count / plannedSeconds),
      events: count,
    },
    delivered,
  ];
}

async function unitEmails(producer: EventProducer, smtp: SmtpSink): Promise<BenchRow> {
  const sentAt = new Map<string, number>();
  const cases = Array.from({ length: UNIT_EMAILS }, () => newId());
  const assigned = cases.map((inquiryId) =>
    caseEvent('Assigned', {
      inquiryId,
      at: new Date().toISOString(),
      actor: 'system',
      unitId: 'unit-bench-mail',
      unitName: '榆阳区住建局',
      coUnitIds: [],
      acceptDeadline: new Date(Date.now() + 86_400_000).toISOString(),
      replyDeadline: new Date(Date.now() + 5 * 86_400_000).toISOString(),
      unitContacts: { emails: ['zhujian@yy.gov.cn'], prefer: 'email' },
    }),
  );
  const first = smtp.mails.length;
  const start = performance.now();
  await publishAll(producer, assigned, sentAt, (e) => (e.payload as { inquiryId: string }).inquiryId);
  await waitUntil(`unit e-mails: ${smtp.mails.length - first}/${UNIT_EMAILS}`, () => smtp.mails.length - first >= UNIT_EMAILS);
  const seconds = (performance.now() - start) / 1000;
  const latencies: number[] = [];
  smtp.mails.slice(first).forEach((mail, i) => {
    // Without a Received the subject names the case by its inquiry id.
    const id = cases.find((c) => mail.subject?.includes(c));
    if (id) latencies.push(smtp.arrivals[first + i] - sentAt.get(id)!);
  });
  return {
    name: `Assigned → e-mail received and parsed by a real SMTP server, burst of ${UNIT_EMAILS} (nodemailer pool of 4)`,
    throughputPerSec: Math.round(UNIT_EMAILS / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    messages: latencies.length,
  };
}

export async function run(): Promise<BenchResult> {
  const [wechat, weibo, smtp] = await Promise.all([WechatApiStandIn.start(), WeiboApiStandIn.start(), SmtpSink.start()]);
  const config = readNotifierConfig({
    ...process.env,
    NODE_ENV: 'development',
    NOTIFIER_PORT: '0',
    LOG_LEVEL: 'error',
    NOTIFIER_GROUP_PREFIX: `bench.notifier.${newId().toLowerCase()}`,
    NOTIFIER_FROM_BEGINNING: 'false',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    WECHAT_API_BASE: wechat.url,
    WECHAT_APP_ID: wechat.appId,
    WECHAT_APP_SECRET: 'stand-in-secret',
    WECHAT_TEMPLATE_ID: 'TPL_BENCH',
    WEIBO_API_BASE: weibo.url,
    WEIBO_MESSAGE_API_BASE: weibo.url,
    WEIBO_ACCESS_TOKEN: weibo.accessToken,
    SURVEY_DELAY_MS: '3600000',
    DISPATCH_BATCH: '100',
    DISPATCH_CONCURRENCY: '16',
    DATABASE_POOL_SIZE: '20',
    RATE_WECHAT: '100000',
    RATE_EMAIL: '100000',
  });
  const logger = createLogger('bench', 'error');
  const kafka = createKafka('bench-notifier', config.env.KAFKA_BROKERS, logger);
  await ensureTopics(kafka, allTopicNames(), { partitions: 6, replicationFactor: 1 });
  const app = await NestFactory.create(NotifierModule.forRoot(config), { logger: false });
  await app.init();
  const producer = new EventProducer(kafka, 'bench');
  const rows: BenchRow[] = [];
  try {
    await waitForConsumers(app, producer);
    rows.push(...(await wechatReplies(app, producer, wechat, PACED_RATE * PACED_SECONDS, PACED_RATE)));
    rows.push(...(await wechatReplies(app, producer, wechat, WECHAT_REPLIES, 0)));
    rows.push(await unitEmails(producer, smtp));
  } finally {
    await producer.disconnect();
    await app.close();
    await Promise.all([wechat.close(), weibo.close(), smtp.close()]);
  }
  return {
    bench: 'notifier',
    rows,
    notes: [
      'One notifier instance; latency from the publish of the case event to the message arriving at the stand-in or SMTP server.',
      'Each delivery: claimed with FOR UPDATE SKIP LOCKED, sent, then marked with its DeliverySucceeded event written to the outbox in one transaction.',
      `Rate caps raised to 100000/s for the run (defaults: WeChat 50/s, e-mail 20/s per instance); dispatcher batch 100, concurrency 16, database pool 20.`,
      'No throughput goal is stated in the issue; these figures are the baseline.',
    ],
  };
}
