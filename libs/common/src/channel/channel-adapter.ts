import type { InboundMessage } from './inbound-message.js';

/** An inbound HTTP push as the edge received it: query parameters and the raw body, before anything is parsed. */
export interface ChannelRequest {
  /** Which configured account the push was addressed to (from the URL path). */
  accountKey: string;
  query: Record<string, string | undefined>;
  body: string;
}

/** The immediate HTTP answer to a push. */
export interface ChannelAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * The shape every inbound channel has (STYLE.md, "Channels look alike"): verify the request (signature,
 * timestamp, decryption), parse it into the common inbound message, and build the immediate answer in the
 * vendor's format. `V` is whatever the adapter learned while verifying that the answer needs (the account,
 * whether the push came encrypted).
 */
export interface ChannelAdapter<V> {
  /** The vendor's URL check (GET): the text to answer with; throws `ChannelError` when it is not genuine. */
  verifyUrl(request: Omit<ChannelRequest, 'body'>): string;
  /** Throws `ChannelError` when the push is not genuine; nothing may be parsed or stored before this. */
  verify(request: ChannelRequest): V;
  /** The common message, or null for a push the platform does not act on (unknown types: logged, answered). */
  parse(verified: V): InboundMessage | null;
  /** The answer: an acknowledgement, or a passive reply with `replyText`. */
  answer(verified: V, replyText: string | null): ChannelAnswer;
}
