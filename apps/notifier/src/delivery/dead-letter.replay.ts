import { Injectable } from '@nestjs/common';
import { ContractViolation, DeliveryDeadLettersV1, InjectLogger, validateEvent, type EventOf } from '@app/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { Message } from '../senders/sender.js';
import { DeliveryRepository } from './delivery.repository.js';
import { DispatcherService } from './dispatcher.service.js';

export type DeadLetter = EventOf<typeof DeliveryDeadLettersV1>;
export type ReplayOutcome = 'requeued' | 'planned' | 'not_dead';

/**
 * An operator's replay of a dead letter from `delivery.events.v1.dlq`: the delivery is queued again under the
 * same delivery id (receivers de-duplicate e-mail and webhook on it). A row that is gone (another database,
 * a restore) is planned again from the letter; a row that is not dead any more is left alone, so replaying a
 * letter twice sends once.
 */
@Injectable()
export class DeadLetterReplay {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly dispatcher: DispatcherService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async replay(raw: unknown): Promise<ReplayOutcome> {
    const letter = validateEvent(DeliveryDeadLettersV1, raw) as DeadLetter;
    const p = letter.payload;
    const outcome = await this.dataSource.transaction(async (m): Promise<ReplayOutcome> => {
      if (await this.deliveries.requeueDead(m, p.messageId)) return 'requeued';
      if (await this.deliveries.findByMessageId(m, p.messageId)) return 'not_dead';
      const message = p.message as unknown as Message;
      if (message.channel !== p.channel) throw new ContractViolation(DeliveryDeadLettersV1.name, [`payload.message: not a ${p.channel} message`]);
      await this.deliveries.plan(m, [{ key: p.idempotencyKey, messageId: p.messageId, inquiryId: p.inquiryId, purpose: p.purpose, recipient: p.recipient, message }]);
      return 'planned';
    });
    this.logger.info({ messageId: p.messageId, channel: p.channel, outcome }, 'dead letter replayed');
    if (outcome !== 'not_dead') this.dispatcher.poke();
    return outcome;
  }
}
