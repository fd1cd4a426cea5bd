import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ConversationService } from '../conversation/conversation.service.js';
import type { ChannelAdapter, ChannelAnswer } from './channel-adapter.js';
import type { ChannelPushRepository } from './channel-push.repository.js';
import { ChannelPushService } from './channel-push.service.js';
import type { InboundMessage } from './inbound-message.js';

const message: InboundMessage = {
  channel: 'wechat',
  account: 'wx-account',
  userId: 'o-citizen',
  dedupKey: '6101795861902907385',
  vendorMessageId: '6101795861902907385',
  sentAt: new Date('2026-11-28T10:00:00Z'),
  body: { kind: 'text', text: '路灯坏了' },
};

const adapter: ChannelAdapter<string> = {
  verifyUrl: () => 'echo',
  verify: (request) => request.body,
  parse: () => message,
  answer: (_verified, reply): ChannelAnswer => ({ status: 200, contentType: 'text/plain', body: reply ?? 'success' }),
};

const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined } as unknown as Logger;

/** A push service whose transaction fails `failures` times with `error` before it commits. */
function service(failures: number, error: () => Error, waitMs: number) {
  let attempts = 0;
  const conversation = {
    inCitizensTransaction: async (_ds: DataSource, messages: InboundMessage[]) => {
      attempts++;
      if (attempts <= failures) throw error();
      return messages.map(() => ({ reply: '已收到', duplicate: false }));
    },
  } as unknown as ConversationService;
  const repository = { seen: () => ({ text: 'SELECT 1', values: [] }) } as unknown as ChannelPushRepository;
  const push = new ChannelPushService(adapter, conversation, repository, {} as DataSource, quiet, waitMs);
  return { push, attempts: () => attempts };
}

const request = { accountKey: 'wx-account', query: {}, body: '<xml/>' };

describe(ChannelPushService.name, () => {
  it('waits for a database that comes back, and answers the push once it committed', async () => {
    const { push, attempts } = service(2, unreachable, 5000);
    expect(await push.receive(request)).toEqual({ status: 200, contentType: 'text/plain', body: '已收到' });
    expect(attempts()).toBe(3);
  });

  it('gives no answer at all when the database stays unreachable, so the vendor sends the push again', async () => {
    const { push, attempts } = service(Infinity, unreachable, 600);
    const started = Date.now();
    expect(await push.receive(request)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(attempts()).toBeGreaterThan(1);
  });

  it('does not wait on any other error', async () => {
    const { push, attempts } = service(1, () => new Error('duplicate key value violates unique constraint'), 5000);
    await expect(push.receive(request)).rejects.toThrow('duplicate key');
    expect(attempts()).toBe(1);
  });
});
