import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { MulterModuleOptions } from '@nestjs/platform-express';
import { CodedError } from '@app/common/http/coded-error.js';
import type { Request } from 'express';
import { diskStorage } from 'multer';
import { catchError, finalize, type Observable } from 'rxjs';
import type { IngestAppConfig } from '../config.js';

export const MAX_PHOTOS = 9;
export const MAX_VIDEOS = 1;
export const UPLOAD_FIELDS = [
  { name: 'photos', maxCount: MAX_PHOTOS },
  { name: 'video', maxCount: MAX_VIDEOS },
];

export type UploadedMedia = { photos?: Express.Multer.File[]; video?: Express.Multer.File[] };

/**
 * Uploads go to a temporary folder on disk as they arrive (a video is never held in memory); the media
 * pipeline reads them from there. The per-file cap is the video cap; photos are checked against their
 * own, smaller cap by the pipeline.
 */
export function multerOptions(config: IngestAppConfig): MulterModuleOptions {
  const folder = config.env.UPLOAD_TMP_DIR;
  mkdirSync(folder, { recursive: true });
  return {
    storage: diskStorage({
      destination: folder,
      // Never the client's file name: it is neither trusted nor needed.
      filename: (_req, _file, callback) => callback(null, `upload-${randomBytes(12).toString('hex')}`),
    }),
    limits: {
      fileSize: Math.max(config.env.VIDEO_MAX_BYTES, config.env.PHOTO_MAX_BYTES),
      files: MAX_PHOTOS + MAX_VIDEOS,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: 40,
    },
  };
}

const MULTER_MESSAGES: Record<string, [kind: 'too_large' | 'invalid', code: string, message: string]> = {
  LIMIT_FILE_SIZE: ['too_large', 'upload.file_too_large', '文件超过上传大小上限，请剪短视频或压缩照片后再上传。'],
  LIMIT_FILE_COUNT: ['invalid', 'upload.too_many_files', `最多上传 ${MAX_PHOTOS} 张照片和 ${MAX_VIDEOS} 个视频。`],
  LIMIT_UNEXPECTED_FILE: ['invalid', 'upload.unexpected_field', `文件字段只能是 photos（最多 ${MAX_PHOTOS} 张）和 video（最多 ${MAX_VIDEOS} 个）。`],
  LIMIT_FIELD_VALUE: ['invalid', 'upload.field_too_long', '某个表单字段过长。'],
  LIMIT_FIELD_COUNT: ['invalid', 'upload.too_many_fields', '表单字段过多。'],
  LIMIT_PART_COUNT: ['invalid', 'upload.too_many_parts', '表单部分过多。'],
};

/**
 * Wraps the multer interceptor: turns multer's errors into coded errors with a readable reason, and
 * deletes the temporary upload files when the request ends, whatever happened.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      catchError((error: unknown) => {
        const code = error instanceof HttpException ? (error.cause as { code?: string } | undefined)?.code : undefined;
        const known = code ? MULTER_MESSAGES[code] : undefined;
        if (known) throw new CodedError(known[0], known[1], known[2]);
        if (error instanceof HttpException && error.getStatus() === 400 && /multipart|part header|boundary/i.test(error.message)) {
          throw new CodedError('invalid', 'upload.malformed', 'multipart/form-data 请求格式不正确，请检查上传方式。');
        }
        throw error;
      }),
      finalize(() => {
        const files = request.files as UploadedMedia | Express.Multer.File[] | undefined;
        const list = Array.isArray(files) ? files : Object.values(files ?? {}).flat();
        for (const file of list) if (file?.path) void unlink(file.path).catch(() => undefined);
      }),
    );
  }
}
