import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CodedError } from '../http/coded-error.js';

export interface PutOptions {
  contentType: string;
  /** Refuse (and leave nothing behind) when a stream is longer than this. */
  maxBytes?: number;
}

/**
 * Where media bytes live (DESIGN "Storage": never in Kafka or rows). Keys are relative paths such as
 * `photos/ab/ab12….jpg`; events carry keys only. A put is atomic: readers never see half an object.
 */
export interface ObjectStore {
  put(key: string, body: Buffer | Readable, options: PutOptions): Promise<{ bytes: number }>;
  exists(key: string): Promise<boolean>;
  size(key: string): Promise<number | undefined>;
  read(key: string): Readable;
  delete(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function assertObjectKey(key: string): void {
  if (!KEY.test(key) || key.length > 300 || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`invalid object key: ${key}`);
  }
}

/** Counts bytes on the way through and fails once a limit is passed. */
export function byteLimit(maxBytes: number): Transform & { bytes: number } {
  let bytes = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      limiter.bytes = bytes;
      if (bytes > maxBytes) {
        callback(new CodedError('too_large', 'media.too_large', `文件超过 ${Math.floor(maxBytes / 1048576)} MB 的上限，请压缩后再上传。`, { maxBytes }));
        return;
      }
      callback(null, chunk);
    },
  }) as Transform & { bytes: number };
  limiter.bytes = 0;
  return limiter;
}

/** The default store: a folder on local disk (from configuration). */
export class LocalDiskObjectStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  pathOf(key: string): string {
    assertObjectKey(key);
    const path = join(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`object key escapes the store: ${key}`);
    return path;
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<{ bytes: number }> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Written beside the target and renamed: a crash or a failed stream never leaves a partial object.
    const temp = `${path}.part-${randomBytes(6).toString('hex')}`;
    try {
      if (Buffer.isBuffer(body)) {
        if (options.maxBytes !== undefined && body.length > options.maxBytes) {
          throw new CodedError('too_large', 'media.too_large', '文件过大，请压缩后再上传。', { maxBytes: options.maxBytes });
        }
        await writeFile(temp, body);
        await rename(temp, path);
        return { bytes: body.length };
      }
      const limiter = byteLimit(options.maxBytes ?? Number.MAX_SAFE_INTEGER);
      await pipeline(body, limiter, createWriteStream(temp));
      await rename(temp, path);
      return { bytes: limiter.bytes };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  read(key: string): Readable {
    return createReadStream(this.pathOf(key));
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
