import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { weiboSignature } from '../../apps/ingest-weibo/src/push/weibo.adapter.js';
import { weiboDate, type WeiboStandIn } from '../support/weibo-stand-in.js';

export const ACCOUNT = { uid: '1902538057', appSecret: 'xyz123xyz' };

let uidSeq = 0;
const run = Math.floor(Math.random() * 1e5);
/** A citizen's Weibo uid, distinct per test file (the database outlives a file's module registry). */
export const newUid = (): string => String(2_000_000_000 + (Date.now() % 1e8) * 10 + run + ++uidSeq * 100_000_000_000);

export type Push = { type: string; receiver_id: number | string; sender_id: number | string; created_at: string; text: string; data: Record<string, unknown> };

/** Sends pushes the way the fans-service platform does: signed URL (millisecond timestamp), JSON body. */
export class WeiboClient {
  private clock = Date.now();

  constructor(
    private readonly app: INestApplication,
    private readonly stand?: WeiboStandIn,
  ) {}

  /** A push from `uid`; each one a second after the previous, as `created_at` has one-second resolution. */
  message(uid: string, type: string, fields: { text?: string; data?: Record<string, unknown> } = {}): Push {
    this.clock += 1000;
    return { type, receiver_id: Number(ACCOUNT.uid), sender_id: Number(uid), created_at: weiboDate(this.clock), text: fields.text ?? '', data: fields.data ?? {} };
  }

  text(uid: string, text: string): Push {
    return this.message(uid, 'text', { text });
  }

  async push(push: Push, options: { body?: string; query?: Record<string, string>; contentType?: string } = {}) {
    this.stand?.observe(push);
    const timestamp = String(Date.now());
    const nonce = String(Math.floor(Math.random() * 1e9));
    const res = await request(this.app.getHttpServer())
      .post(`/weibo/${ACCOUNT.uid}`)
      .query({ signature: weiboSignature(ACCOUNT.appSecret, timestamp, nonce), timestamp, nonce, ...options.query })
      .set('Content-Type', options.contentType ?? 'application/json')
      .send(options.body ?? JSON.stringify(push));
    return { res, reply: decode(res.text) };
  }

  /** What the citizen reads: the `text` inside the passive reply's URL-encoded `data`, or '' for an empty answer. */
  async say(uid: string, text: string): Promise<string> {
    return (await this.push(this.text(uid, text))).reply?.text ?? '';
  }
}

export function decode(body: string): { text: string; json: Record<string, unknown> } | undefined {
  if (!body) return undefined;
  const json = JSON.parse(body) as Record<string, unknown>;
  if (typeof json.data !== 'string') return { json, text: '' }; // an error answer
  return { json, text: (JSON.parse(decodeURIComponent(String(json.data))) as { text: string }).text };
}
