import { Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ChannelError } from '@app/common/channel/channel-error.js';
import { ChannelErrorFilter } from '@app/common/channel/channel-error.filter.js';
import type { Request, Response } from 'express';
import { PushService } from './push.service.js';

/** Bodies over 64 KB are refused (issue 4, hostile input); WeChat's pushes are a few hundred bytes. */
export const MAX_PUSH_BYTES = 64 * 1024;
const XML_TYPES = /^(text\/xml|application\/xml|text\/plain)(;|$)/i;

type Query = Record<string, string | undefined>;

@Controller('wechat')
@UseFilters(ChannelErrorFilter)
export class PushController {
  constructor(private readonly push: PushService) {}

  /** URL verification: the raw echostr as text/plain. */
  @Get(':account')
  verify(@Param('account') account: string, @Query() query: Query, @Res() res: Response): void {
    const echostr = this.push.verifyUrl({ accountKey: account, query: strings(query) });
    res.status(200).type('text/plain').send(echostr);
  }

  @Post(':account')
  async receive(@Param('account') account: string, @Query() query: Query, @Req() req: Request, @Res() res: Response): Promise<void> {
    const body = await readBody(req);
    const answer = await this.push.receive({ accountKey: account, query: strings(query), body });
    res.status(answer.status).type(answer.contentType).send(answer.body);
  }
}

function strings(query: Query): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Reads the raw XML body with a hard size limit (the global parsers only handle JSON and forms). */
async function readBody(req: Request): Promise<string> {
  const type = req.headers['content-type'];
  if (type && !XML_TYPES.test(type)) throw new ChannelError('unsupported_media_type', 'the push must be XML');
  if (Number(req.headers['content-length'] ?? 0) > MAX_PUSH_BYTES) throw new ChannelError('too_large', 'body over 64 KB');
  if (typeof req.body === 'string') return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  // Drain the rest instead of breaking off, so the 413 still reaches the client.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_PUSH_BYTES) chunks.push(chunk);
  }
  if (size > MAX_PUSH_BYTES) throw new ChannelError('too_large', 'body over 64 KB');
  return Buffer.concat(chunks).toString('utf8');
}
