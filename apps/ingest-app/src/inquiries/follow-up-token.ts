import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { INGEST_APP_CONFIG, type IngestAppConfig } from '../config.js';

/**
 * The private token that lets an anonymous citizen follow and rate their case. It is derived from the
 * inquiry id with a server key, so it is never stored and a replayed submission answers the same token.
 */
@Injectable()
export class FollowUpTokens {
  private readonly key: string;

  constructor(@Inject(INGEST_APP_CONFIG) config: IngestAppConfig) {
    this.key = `follow-up:${config.env.JWT_SECRET}`;
  }

  issue(inquiryId: string): string {
    return createHmac('sha256', this.key).update(inquiryId).digest('base64url');
  }

  matches(inquiryId: string, token: string): boolean {
    const expected = Buffer.from(this.issue(inquiryId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
