import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import type { Attachment } from '../contracts/common.schemas.js';
import { CodedError } from '../http/coded-error.js';
import { detectFileType, SNIFF_BYTES, type DetectedType, type MediaKind } from './file-type.js';
import type { ObjectStore } from './object-store.js';

export interface MediaOptions {
  /** Decoded pixels above which a photo is refused (decompression bombs). */
  maxInputPixels: number;
  photoMaxBytes: number;
  videoMaxBytes: number;
  /** Longest side of the stored photo. */
  maxSide?: number;
  thumbnailSide?: number;
  jpegQuality?: number;
}

export interface StoredMedia {
  attachment: Attachment;
  /** Keys this call wrote (not those that already existed): what to delete if the request fails later. */
  created: string[];
}

export interface StoredBatch {
  attachments: Attachment[];
  created: string[];
}

const MB = 1048576;

/**
 * The media pipeline of every channel: the type comes from the bytes; photos are rotated upright,
 * re-encoded as JPEG without any metadata (EXIF, GPS, ICC), bounded in pixels and size, thumbnailed, and
 * stored under their content hash (the same photo twice is stored once); videos are streamed from disk to
 * the store under a byte cap. Input is a file on disk, so nothing large is held in memory.
 */
export class MediaPipeline {
  private readonly maxSide: number;
  private readonly thumbnailSide: number;
  private readonly quality: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: MediaOptions,
  ) {
    this.maxSide = options.maxSide ?? 2048;
    this.thumbnailSide = options.thumbnailSide ?? 320;
    this.quality = options.jpegQuality ?? 82;
  }

  /** Stores every file, or none: on the first failure the objects already written are deleted. */
  async ingestAll(files: { path: string; expect: MediaKind }[]): Promise<StoredBatch> {
    const batch: StoredBatch = { attachments: [], created: [] };
    try {
      for (const file of files) {
        const stored = await this.ingestFile(file.path, file.expect);
        batch.attachments.push(stored.attachment);
        batch.created.push(...stored.created);
      }
      return batch;
    } catch (error) {
      await this.discard(batch.created);
      throw error;
    }
  }

  async ingestFile(path: string, expect?: MediaKind): Promise<StoredMedia> {
    const type = await sniff(path);
    if (!type || (expect && type.kind !== expect)) {
      const allowed = expect === 'video' ? 'MP4、MOV 视频' : expect === 'photo' ? 'JPEG、PNG、WebP、HEIC 照片' : 'JPEG、PNG、WebP、HEIC 照片或 MP4、MOV 视频';
      throw new CodedError('unsupported_media', 'media.unsupported_type', `不支持此文件类型，只能上传${allowed}。`);
    }
    const bytes = (await stat(path)).size;
    return type.kind === 'photo' ? this.photo(path, type, bytes) : this.video(path, type, bytes);
  }

  /** Deletes objects written for a request that then failed. */
  async discard(keys: string[]): Promise<void> {
    await Promise.allSettled(keys.map((key) => this.store.delete(key)));
  }

  private async photo(path: string, type: DetectedType, bytes: number): Promise<StoredMedia> {
    if (bytes > this.options.photoMaxBytes) {
      throw new CodedError('too_large', 'media.photo_too_large', `照片超过 ${Math.floor(this.options.photoMaxBytes / MB)} MB 的上限，请压缩后再上传。`);
    }
    // Hashing and decoding run side by side; a photo seen before is then not stored again.
    const [hash, pixels] = await Promise.all([
      sha256File(path),
      this.decode(path)
        .rotate()
        .flatten({ background: '#ffffff' })
        .resize({ width: this.maxSide, height: this.maxSide, fit: 'inside', withoutEnlargement: true })
        .raw()
        .toBuffer({ resolveWithObject: true })
        .catch((error: unknown) => {
          throw photoError(error, type, this.options.maxInputPixels);
        }),
    ]);
    const key = `photos/${hash.slice(0, 2)}/${hash}.jpg`;
    const thumbnailKey = `photos/${hash.slice(0, 2)}/${hash}.thumb.jpg`;
    const { width, height, channels } = pixels.info;
    if ((await this.store.exists(key)) && (await this.store.exists(thumbnailKey))) {
      const size = (await this.store.size(key)) ?? 0;
      return { attachment: photoAttachment(key, thumbnailKey, size, hash, width, height), created: [] };
    }
    // Both encodings start from the decoded pixels: nothing of the original file (EXIF, GPS, ICC) is carried over.
    const fromPixels = () => sharp(pixels.data, { raw: { width, height, channels } });
    const [data, thumbnail] = await Promise.all([
      fromPixels().jpeg({ quality: this.quality }).toBuffer(),
      fromPixels()
        .resize({ width: this.thumbnailSide, height: this.thumbnailSide, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 75 })
        .toBuffer(),
    ]);
    const created: string[] = [];
    try {
      await this.store.put(key, data, { contentType: 'image/jpeg' });
      created.push(key);
      await this.store.put(thumbnailKey, thumbnail, { contentType: 'image/jpeg' });
      created.push(thumbnailKey);
    } catch (error) {
      await this.discard(created);
      throw error;
    }
    return { attachment: photoAttachment(key, thumbnailKey, data.length, hash, width, height), created };
  }

  private decode(path: string): Sharp {
    // limitInputPixels is checked from the header, before any pixel is decoded.
    return sharp(path, { limitInputPixels: this.options.maxInputPixels, failOn: 'error', sequentialRead: true });
  }

  private async video(path: string, type: DetectedType, bytes: number): Promise<StoredMedia> {
    const max = this.options.videoMaxBytes;
    if (bytes > max) {
      throw new CodedError('too_large', 'media.video_too_large', `视频超过 ${Math.floor(max / MB)} MB 的上限，请剪短或压缩后再上传。`);
    }
    const hash = await sha256File(path);
    const key = `videos/${hash.slice(0, 2)}/${hash}.${type.ext}`;
    if (await this.store.exists(key)) {
      return { attachment: { kind: 'video', objectKey: key, contentType: type.mime, bytes, sha256: hash }, created: [] };
    }
    const stored = await this.store.put(key, createReadStream(path), { contentType: type.mime, maxBytes: max });
    return { attachment: { kind: 'video', objectKey: key, contentType: type.mime, bytes: stored.bytes, sha256: hash }, created: [key] };
  }
}

function photoAttachment(key: string, thumbnailKey: string, bytes: number, hash: string, width?: number, height?: number): Attachment {
  return { kind: 'photo', objectKey: key, thumbnailKey, contentType: 'image/jpeg', bytes, sha256: hash, width, height };
}

function photoError(error: unknown, type: DetectedType, maxPixels: number): CodedError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new CodedError('too_large', 'media.pixel_limit', `照片像素超过上限（${Math.round(maxPixels / 1e6)} 百万像素），请换一张照片或缩小后上传。`);
  }
  if (type.mime === 'image/heic' || type.mime === 'image/heif') {
    return new CodedError('unsupported_media', 'media.heic_unsupported', '暂时无法读取这张 HEIC 照片，请在手机相机设置中选择“兼容性最佳”，或转为 JPEG 后上传。');
  }
  return new CodedError('invalid', 'media.corrupt', '照片文件已损坏或不完整，无法读取，请重新选择照片。');
}

async function sniff(path: string): Promise<DetectedType | undefined> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return detectFileType(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
