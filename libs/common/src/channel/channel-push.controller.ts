import { Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ChannelAnswer, ChannelRequest } from './channel-adapter.js';
import { queryStrings, readPushBody } from './push-body.js';

type QueryParams = Record<string, string | undefined>;

export interface PushEndpoint {
  verifyUrl(request: Omit<ChannelRequest, 'body'>): string;
  receive(request: ChannelRequest): Promise<ChannelAnswer | null>;
}

/**
 * The push routes every channel has: `GET /<channel>/:account` (URL check, the raw echostr as text/plain) and
 * `POST /<channel>/:account` (a push, the body read raw with the 64 KB limit). Each app subclasses it with its
 * `@Controller` path, `@UseFilters(ChannelErrorFilter)`, its push service and the content types it accepts.
 */
export abstract class ChannelPushController {
  protected abstract readonly push: PushEndpoint;
  /** Content types the vendor sends pushes with, and their name for the 415 message. */
  protected abstract readonly accept: { types: RegExp; name: string };

  @Get(':account')
  verify(@Param('account') account: string, @Query() query: QueryParams, @Res() res: Response): void {
    const echostr = this.push.verifyUrl({ accountKey: account, query: queryStrings(query) });
    res.status(200).type('text/plain').send(echostr);
  }

  @Post(':account')
  async receive(@Param('account') account: string, @Query() query: QueryParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    const body = await readPushBody(req, this.accept.types, this.accept.name);
    const answer = await this.push.receive({ accountKey: account, query: queryStrings(query), body });
    if (answer) res.status(answer.status).type(answer.contentType).send(answer.body);
    else req.socket.destroy(); // no answer at all: the vendor's retry rule, not an error page, brings the push back
  }
}
