import { mkdir, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { MulterModuleOptions } from '@nestjs/platform-express';
import type { Request } from 'express';
import { diskStorage } from 'multer';
import { finalize, type Observable } from 'rxjs';
import type { RouterConfig } from '../config.js';

export const MAX_REPLY_FILES = 9;

/** Uploads land in a temporary folder (never in memory); the media pipeline reads them from there. */
export function agencyMulterOptions(config: RouterConfig): MulterModuleOptions {
  const folder = config.env.ROUTER_UPLOAD_TMP_DIR;
  return {
    storage: diskStorage({
      // Created on the first upload, not at boot: most instances never receive one.
      destination: (_req, _file, callback) => {
        mkdir(folder, { recursive: true }).then(() => callback(null, folder), (err: Error) => callback(err, folder));
      },
      filename: (_req, _file, callback) => callback(null, `reply-${randomBytes(12).toString('hex')}`),
    }),
    limits: { fileSize: config.env.ROUTER_FILE_MAX_BYTES, files: MAX_REPLY_FILES, fields: 5, parts: 20 },
  };
}

/** Deletes the temporary upload files when the request ends, whatever happened. */
@Injectable()
export class UploadCleanup implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      finalize(() => {
        const files = (request.files ?? []) as Express.Multer.File[];
        for (const file of files) if (file?.path) void unlink(file.path).catch(() => undefined);
      }),
    );
  }
}
