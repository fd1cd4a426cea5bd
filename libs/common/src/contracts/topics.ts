import { CaseEventsV1 } from './case-events.v1.js';
import { ChannelOutboundV1 } from './channel-outbound.v1.js';
import { DeliveryEventsV1 } from './delivery-events.v1.js';
import { InquiryInteractionV1 } from './inquiry-interaction.v1.js';
import { InquirySubmittedV1 } from './inquiry-submitted.v1.js';
import { dlqName, type TopicContract } from './topic-contract.js';

/** Every topic of the platform, in one place. */
export const TOPICS = {
  inquirySubmitted: InquirySubmittedV1,
  inquiryInteraction: InquiryInteractionV1,
  caseEvents: CaseEventsV1,
  channelOutbound: ChannelOutboundV1,
  deliveryEvents: DeliveryEventsV1,
} as const satisfies Record<string, TopicContract>;

/** The topic names to create, each with its dead-letter twin. */
export function allTopicNames(): string[] {
  return Object.values(TOPICS).flatMap((c) => [c.name, dlqName(c.name)]);
}
