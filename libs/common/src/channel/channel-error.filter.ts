import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ChannelError } from './channel-error.js';

/** The HTTP edge of every channel: a coded error becomes its status and a short message, and nothing else leaks. */
@Catch(ChannelError)
export class ChannelErrorFilter implements ExceptionFilter {
  catch(error: ChannelError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    res.status(error.status).json({ error: error.code, message: error.message });
  }
}
