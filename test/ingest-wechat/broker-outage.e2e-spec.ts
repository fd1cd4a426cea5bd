import { TOPICS, type EventOf } from '@app/common';
import { WechatStandIn } from '../support/wechat-stand-in.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { bootWechat, type BootedWechat } from './boot.js';
import { ACCOUNT_A, newOpenId, WechatClient } from './wechat-client.js';

type Submitted = EventOf<typeof TOPICS.inquirySubmitted>;

/** The broker on this run's own port (global-setup.mjs starts it there), so pausing it disturbs nobody else. */
async function ownBrokerPid(): Promise<number | undefined> {
  const own = process.env.WZ_TEST_KAFKA_PORT;
  const port = process.env.WZ_TEST_STARTED_BROKER || (own && process.env.KAFKA_BROKERS === `127.0.0.1:${own}` ? own : '');
  if (!port) return undefined;
  const { brokerStatus } = (await import('../../scripts/kafka.mjs' as string)) as {
    brokerStatus: (o: { port: number }) => Promise<{ pid?: number; running: boolean }>;
  };
  const status = await brokerStatus({ port: Number(port) });
  return status.running ? status.pid : undefined;
}

describe('a push during a broker outage', () => {
  let stand: WechatStandIn;
  let booted: BootedWechat;
  let pid: number | undefined;

  beforeAll(async () => {
    pid = await ownBrokerPid();
    stand = new WechatStandIn([{ appId: ACCOUNT_A.appId, secret: ACCOUNT_A.appSecret }]);
    booted = await bootWechat(await stand.start());
  });

  afterAll(async () => {
    if (pid) process.kill(pid, 'SIGCONT');
    await booted.app.close();
    await stand.stop();
  });

  it('is answered in time, and the inquiry reaches Kafka after the broker is back', async () => {
    if (!pid) throw new Error('this test needs the broker started by global-setup (set WZ_TEST_KAFKA_PORT, unset KAFKA_BROKERS)');
    const wx = new WechatClient(booted.app, ACCOUNT_A, 'safe');
    const openId = newOpenId();
    process.kill(pid, 'SIGSTOP'); // the broker stops answering, connections stay open: the nastier kind of outage
    try {
      const started = Date.now();
      await wx.push(wx.text(openId, '学校门口的减速带被压坏了，放学时很危险'));
      const { reply } = await wx.push(wx.text(openId, '提交'));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(reply?.Content).toContain('受理编号');
      const pending = await booted.db.query(
        `SELECT count(*)::int AS n FROM ingest_wechat.outbox WHERE event_type = 'InquirySubmitted' AND sent_at IS NULL AND envelope LIKE $1`,
        [`%${openId}%`],
      );
      expect(pending[0].n).toBe(1);
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const reader = await new TopicReader(testKafka(), TOPICS.inquirySubmitted.name).start();
    try {
      const event = await waitFor(
        () => reader.values<Submitted>().find((e) => e.payload.citizen.externalUserId === openId),
        'the inquiry after the broker returned',
        90000,
      );
      expect(event.payload.content).toContain('减速带');
    } finally {
      await reader.stop();
    }
  });
});
