import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DeliveryDeadLettersV1, InjectLogger, OutboxWriter, TOPICS } from '@app/common';
import { WechatAccessTokens } from '@app/common/channel/wechat-access-token.js';
import type { Statement } from '@app/common/database/pipeline.js';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { ContactsRepository } from '../contacts/contacts.repository.js';
import { NotifierSettings } from '../notifier.settings.js';
import { Senders } from '../senders/senders.js';
import { CallNotStarted, VendorError, type AppMessage, type DeliveryChannel, type Message } from '../senders/sender.js';
import { summary } from '../planning/templates.js';
import { CompletionQueue } from './completion-queue.js';
import { DeliveryErrorHandler } from './delivery-error.handler.js';
import { DeliveryMetrics } from './delivery.metrics.js';
import { DeliveryRepository, type DeliveryRow } from './delivery.repository.js';
import { ChannelRateLimits } from './rate-limiter.js';
import { wechatMode, weiboMode } from './window.policy.js';

/** Channels whose receivers can fold a repeated delivery id; the others are never re-sent after an unknown outcome. */
const REPEATABLE: ReadonlySet<DeliveryChannel> = new Set(['email', 'webhook', 'app']);

/**
 * Sends the persisted queue. A row is claimed (status `sending`, leased) and committed BEFORE the vendor call,
 * so a crash mid-send leaves a visible `sending` row instead of a silent re-send; for WeChat and Weibo the start
 * of the call itself is committed too, so a crash leaves uncertain only the calls that had begun; see `recover`.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastRecovery = 0;
  private readonly completions: CompletionQueue;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly contacts: ContactsRepository,
    private readonly senders: Senders,
    private readonly errors: DeliveryErrorHandler,
    private readonly limits: ChannelRateLimits<DeliveryChannel>,
    private readonly tokens: WechatAccessTokens,
    private readonly outbox: OutboxWriter,
    private readonly settings: NotifierSettings,
    private readonly metrics: DeliveryMetrics,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.completions = new CompletionQueue(dataSource);
  }

  onApplicationBootstrap(): void {
    if (!this.settings.env.DISPATCHER_ENABLED) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Called after a consumer planned new deliveries, so they leave without waiting for the next poll. */
  poke(): void {
    this.wake?.();
  }

  /** One pass over the due rows; returns how many were claimed. */
  async dispatchOnce(): Promise<number> {
    const { DISPATCH_BATCH, DISPATCH_LEASE_MS, DISPATCH_CONCURRENCY } = this.settings.env;
    const rows = await this.deliveries.claim(this.dataSource, DISPATCH_BATCH, DISPATCH_LEASE_MS);
    // A vendor call may start only while the lease has room for it (up to three calls: refresh, fallback);
    // a row whose lease could run out mid-call is handed back, so recovery never races a live send.
    const startBy = Date.now() + DISPATCH_LEASE_MS - 4 * this.settings.env.VENDOR_TIMEOUT_MS;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rows.length) {
        const row = rows[next++];
        if (Date.now() < startBy) await this.deliver(row, startBy);
        else await this.handBack(row);
      }
    };
    await Promise.all(Array.from({ length: Math.min(DISPATCH_CONCURRENCY, rows.length) }, worker));
    return rows.length;
  }

  /**
   * Rows left `sending` by an instance that died. Where the WeChat or Weibo call had begun, the vendor may or
   * may not have accepted the message, and they take no idempotency key: those rows become `uncertain`
   * (reported, never re-sent: a citizen never gets a message twice, at the price of possibly none); where it had
   * not (the row waited for its rate limit or its turn in the batch), nothing left and the row is sent. E-mail,
   * webhook and app are re-sent with the same delivery id (Message-ID / X-Wenzheng-Delivery), which their
   * receivers can de-duplicate.
   */
  async recover(): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows = await this.deliveries.expiredLeases(m, 100);
      for (const row of rows) {
        if (REPEATABLE.has(row.channel)) {
          await this.deliveries.reschedule(m, row, 0, 'lease expired: sending again with the same delivery id');
        } else if (!row.callStarted) {
          await this.deliveries.reschedule(m, row, 0, 'lease expired before the vendor call began: sending');
        } else {
          const error = 'outcome unknown: the sender stopped after the vendor call began; not re-sent';
          if (!(await this.deliveries.markDead(m, row, error, 'uncertain'))) continue;
          this.metrics.outcomes.inc({ channel: row.channel, outcome: 'uncertain' });
          await this.report(m, row, { ok: false, error, final: true });
          await this.deadLetter(m, row, error, 'uncertain');
        }
      }
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (Date.now() - this.lastRecovery > 5000) {
          this.lastRecovery = Date.now();
          await this.recover();
        }
        const claimed = await this.dispatchOnce();
        if (claimed < this.settings.env.DISPATCH_BATCH) await this.idle(this.settings.env.DISPATCH_POLL_MS);
      } catch (error) {
        this.logger.error({ err: String(error) }, 'dispatcher pass failed');
        await this.idle(1000);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async handBack(row: DeliveryRow): Promise<void> {
    await this.completions.complete((m) => this.deliveries.reschedule(m, row, 0, 'handed back unsent: lease too short').then(() => undefined));
  }

  private async deliver(row: DeliveryRow, startBy: number): Promise<void> {
    try {
      await this.limits.take(row.channel);
      if (Date.now() >= startBy) return await this.handBack(row);
      let message: Message | undefined = await this.prepare(row);
      let refreshed = false;
      while (message) {
        const timer = this.metrics.sendSeconds.startTimer({ channel: row.channel });
        try {
          const result = await this.senders.send(message, { messageId: row.messageId, callStarting: this.callStarting(row, message) });
          timer();
          await this.succeeded(row, message, result.vendorRef);
          this.metrics.outcomes.inc({ channel: row.channel, outcome: 'sent' });
          return;
        } catch (error) {
          timer();
          if (error instanceof CallNotStarted) return;
          const decision = this.errors.decide(error, message, row.attempts, refreshed);
          this.metrics.outcomes.inc({ channel: row.channel, outcome: decision.action === 'give_up' ? 'dead' : decision.action });
          switch (decision.action) {
            case 'refresh_token':
              await this.tokens.invalidate(this.settings.env.WECHAT_APP_ID, error instanceof VendorError ? error.credential : undefined);
              refreshed = true;
              continue;
            case 'fallback':
              message = fallbackOf(message);
              if (!message) await this.failed(row, decision.reason, undefined);
              continue;
            case 'wait_window':
              await this.waitForWindow(row, message, decision.delayMs, decision.reason);
              return;
            case 'retry':
              await this.failed(row, decision.reason, decision.delayMs);
              return;
            case 'give_up':
              await this.failed(row, decision.reason, undefined);
              return;
            default: {
              const unknown: never = decision;
              throw new Error(`unknown decision ${JSON.stringify(unknown)}`);
            }
          }
        }
      }
    } catch (error) {
      // A database failure here leaves the row leased; recovery picks it up after the lease.
      this.logger.error({ id: row.id, err: String(error) }, 'delivery bookkeeping failed');
      await sleep(100);
    }
  }

  /**
   * WeChat and Weibo take no idempotency key: the call's start is committed with its mode (`markCallStarted`), after
   * the sender has its token and right before the request, so a claim found expired later is sent again only when
   * its call never began. Each call of a fallback records its own mode.
   */
  private callStarting(row: DeliveryRow, message: Message): (() => Promise<void>) | undefined {
    if (REPEATABLE.has(row.channel)) return undefined;
    return async () => {
      if (!(await this.deliveries.markCallStarted(this.dataSource, row, 'mode' in message ? message.mode : undefined))) {
        throw new CallNotStarted(`delivery ${row.id}: claim no longer held`);
      }
    };
  }

  /** Adds what depends on now: the window's mode, the unit's current webhook. Undefined: nothing to send. */
  private async prepare(row: DeliveryRow): Promise<Message | undefined> {
    const message = row.message;
    const now = new Date();
    switch (message.channel) {
      case 'wechat': {
        const window = await this.contacts.findWindow(this.dataSource, 'wechat', message.openId);
        return { ...message, mode: wechatMode(window, now) };
      }
      case 'weibo': {
        const window = await this.contacts.findWindow(this.dataSource, 'weibo', message.uid);
        const mode = weiboMode(window, !!message.thread, now);
        if (!mode) {
          await this.failed(row, 'weibo window closed and no post to comment on', undefined);
          return undefined;
        }
        return { ...message, mode };
      }
      case 'webhook': {
        const unit = await this.contacts.findUnit(this.dataSource, message.unitId);
        if (!unit?.webhookUrl || !unit.webhookSecret || unit.webhookDisabled) {
          await this.failed(row, 'webhook switched off or missing', undefined, { skipWebhookCount: true });
          return undefined;
        }
        return { ...message, url: unit.webhookUrl, secret: unit.webhookSecret };
      }
      case 'email':
      case 'app':
        return message;
      default: {
        const unknown: never = message;
        throw new Error(`unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async succeeded(row: DeliveryRow, message: Message, vendorRef: string | undefined): Promise<void> {
    const mode = 'mode' in message ? message.mode : undefined;
    if (message.channel === 'email') {
      // One statement written behind: a batch of e-mail outcomes is one round trip, which narrows the window in
      // which a crash after the SMTP server's answer makes recovery send the mail again.
      const marked = this.deliveries.markSentStatement(row, vendorRef, mode);
      return this.completions.complete((m) => this.report(m, row, { ok: true }, marked));
    }
    await this.completions.complete(async (m) => {
      if (!(await this.deliveries.markSent(m, row, vendorRef, mode))) return;
      if (message.channel === 'wechat' && mode === 'custom') await this.contacts.countWindowSend(m, 'wechat', message.openId);
      if (message.channel === 'weibo' && mode === 'message') await this.contacts.countWindowSend(m, 'weibo', message.uid);
      if (message.channel === 'webhook') await this.contacts.webhookSucceeded(m, message.unitId);
      await this.report(m, row, { ok: true });
      if (message.channel === 'app') await this.notifyInApp(m, row, message);
    });
  }

  /** `retryInMs` undefined: final. A webhook failure counts towards switching the unit's webhook off. */
  private async failed(row: DeliveryRow, error: string, retryInMs: number | undefined, opts: { skipWebhookCount?: boolean } = {}): Promise<void> {
    const message = row.message;
    await this.completions.complete(async (m) => {
      let final = retryInMs === undefined;
      if (message.channel === 'webhook' && !opts.skipWebhookCount) {
        const disabledAt = await this.contacts.webhookFailed(m, message.unitId, this.settings.env.WEBHOOK_DISABLE_AFTER);
        if (disabledAt !== undefined) {
          final = true;
          await this.outbox.append(m, TOPICS.deliveryEvents, 'WebhookDisabled', {
            messageId: row.messageId,
            inquiryId: row.inquiryId,
            channel: 'webhook',
            attempt: row.attempts,
            at: new Date().toISOString(),
            unitId: message.unitId,
            consecutiveFailures: disabledAt,
            error: error.slice(0, 2000),
          });
        }
      }
      const done = final ? await this.deliveries.markDead(m, row, error) : await this.deliveries.reschedule(m, row, retryInMs!, error);
      if (!done) return;
      await this.report(m, row, { ok: false, error, final });
      if (final) await this.deadLetter(m, row, error, 'dead');
      // The inbox does not depend on the push gateway: a push given up still leaves the notification.
      if (final && message.channel === 'app') await this.notifyInApp(m, row, message);
      if (final && message.channel === 'webhook' && message.fallback) {
        await this.deliveries.plan(m, [
          { key: `${row.idempotencyKey}:email`, messageId: `${row.messageId}E`, inquiryId: row.inquiryId, purpose: row.purpose, recipient: message.fallback.to.join(','), message: message.fallback },
        ]);
      }
    });
  }

  private async waitForWindow(row: DeliveryRow, message: Message, delayMs: number, reason: string): Promise<void> {
    await this.completions.complete(async (m) => {
      if (message.channel === 'wechat') await this.contacts.exhaustWindow(m, 'wechat', message.openId);
      if (await this.deliveries.reschedule(m, row, delayMs, reason, true)) await this.report(m, row, { ok: false, error: reason, final: false });
    });
  }

  /** The citizen's in-app notification, which ingest-app's read model lists (same transaction as the outcome). */
  private async notifyInApp(m: EntityManager, row: DeliveryRow, message: AppMessage): Promise<void> {
    await this.outbox.append(m, TOPICS.deliveryEvents, 'AppNotificationCreated', {
      messageId: row.messageId,
      inquiryId: row.inquiryId,
      channel: 'app',
      attempt: Math.max(1, row.attempts),
      at: new Date().toISOString(),
      userId: message.userId,
      purpose: row.purpose,
      title: message.title.slice(0, 200),
      text: summary(message.text, 900),
      link: message.link,
    });
  }

  /** DESIGN rule 4: what failed its last attempt goes to the `.dlq` twin, in the transaction that marks it. */
  private async deadLetter(m: EntityManager, row: DeliveryRow, error: string, status: 'dead' | 'uncertain'): Promise<void> {
    await this.outbox.append(m, DeliveryDeadLettersV1, 'DeliveryDeadLettered', {
      messageId: row.messageId,
      inquiryId: row.inquiryId,
      channel: row.channel,
      status,
      idempotencyKey: row.idempotencyKey,
      purpose: row.purpose,
      recipient: row.recipient.slice(0, 2000),
      attempts: row.attempts,
      error: error.slice(0, 2000),
      at: new Date().toISOString(),
      message: row.message as unknown as Record<string, unknown>,
    });
  }

  /** `onlyIf`: the event is written when this statement (one of the row's updates) returns a row, in the same statement. */
  private async report(
    m: EntityManager,
    row: DeliveryRow,
    outcome: { ok: true } | { ok: false; error: string; final: boolean },
    onlyIf?: Statement,
  ): Promise<void> {
    const base = { messageId: row.messageId, inquiryId: row.inquiryId, channel: row.channel, attempt: Math.max(1, row.attempts), at: new Date().toISOString() };
    const condition = onlyIf ? { onlyIf } : undefined;
    if (outcome.ok) await this.outbox.append(m, TOPICS.deliveryEvents, 'DeliverySucceeded', base, condition);
    else await this.outbox.append(m, TOPICS.deliveryEvents, 'DeliveryFailed', { ...base, error: outcome.error.slice(0, 2000), final: outcome.final }, condition);
  }
}

function fallbackOf(message: Message): Message | undefined {
  if (message.channel === 'wechat' && message.mode === 'custom') return { ...message, mode: 'template' };
  if (message.channel === 'weibo' && message.mode === 'message' && message.thread) return { ...message, mode: 'comment' };
  return undefined;
}
