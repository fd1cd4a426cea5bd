/**
 * The one error type of inbound channel adapters (WeChat, Weibo, …). Domain and vendor code throw it with a
 * code; `ChannelErrorFilter` is the one place that turns a code into an HTTP status.
 */
export const CHANNEL_ERROR_CODES = {
  unauthorized: 401, // bad or missing signature, stale timestamp
  forbidden: 401, // decrypted message is for another AppID: not a genuine push for us
  unknown_account: 404,
  malformed: 400,
  too_large: 413,
  unsupported_media_type: 415,
  bad_aes_key: 500,
} as const;

export type ChannelErrorCode = keyof typeof CHANNEL_ERROR_CODES;

export class ChannelError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
    /** The vendor's own code when it has one (WeChat's sample codes such as -40001). */
    readonly vendorCode?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }

  get status(): number {
    return CHANNEL_ERROR_CODES[this.code];
  }
}
