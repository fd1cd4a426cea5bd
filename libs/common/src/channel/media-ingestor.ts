import { createHash, randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attachment } from '../contracts/common.schemas.js';
import type { MediaKind } from './inbound-message.js';
import { CodedError } from '../http/coded-error.js';
import { MediaPipeline } from '../media/media.pipeline.js';
import { LocalDiskObjectStore, type ObjectStore } from '../media/object-store.js';

/** The narrow view a channel app has of the shared media pipeline: downloaded bytes in, a stored attachment out. */
export interface MediaIngestor {
  ingest(input: { bytes: Buffer; declaredType: string; kind: MediaKind }): Promise<Attachment>;
}
export const MEDIA_INGESTOR = Symbol('MEDIA_INGESTOR');

/** The media failed for good (wrong type, corrupt, too large): retrying will not help. */
export const isPermanentMediaError = (error: unknown): boolean => error instanceof CodedError;

const VOICE_EXTENSIONS: Record<string, string> = { 'audio/amr': 'amr', 'audio/speex': 'speex', 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3' };

/**
 * Photos and videos go through the common pipeline (type from the bytes, EXIF stripped, thumbnails). The
 * pipeline reads files, so the download is written to a temp file first. Voice (AMR/Speex) is outside the
 * pipeline's formats and is stored as is, under its content hash.
 */
export class PipelineMediaIngestor implements MediaIngestor {
  constructor(
    private readonly pipeline: MediaPipeline,
    private readonly store: ObjectStore,
  ) {}

  async ingest(input: { bytes: Buffer; declaredType: string; kind: MediaKind }): Promise<Attachment> {
    if (input.kind === 'voice') return this.voice(input.bytes, input.declaredType);
    const path = join(tmpdir(), `wz-channel-${randomBytes(8).toString('hex')}`);
    await writeFile(path, input.bytes);
    try {
      return (await this.pipeline.ingestFile(path, input.kind)).attachment;
    } finally {
      await rm(path, { force: true });
    }
  }

  private async voice(bytes: Buffer, declaredType: string): Promise<Attachment> {
    const contentType = declaredType.split(';')[0].trim().toLowerCase();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const objectKey = `voice/${sha256.slice(0, 2)}/${sha256}.${VOICE_EXTENSIONS[contentType] ?? 'bin'}`;
    if (!(await this.store.exists(objectKey))) await this.store.put(objectKey, bytes, { contentType });
    return { kind: 'voice', objectKey, contentType: contentType || 'application/octet-stream', bytes: bytes.length, sha256 };
  }
}

/** The ingestor every channel app uses: the local object store and the shared pipeline with the app's limits. */
export function localMediaIngestor(options: { mediaDir: string; maxBytes: number; maxPixels: number }): MediaIngestor {
  const store = new LocalDiskObjectStore(options.mediaDir);
  const pipeline = new MediaPipeline(store, { maxInputPixels: options.maxPixels, photoMaxBytes: options.maxBytes, videoMaxBytes: options.maxBytes });
  return new PipelineMediaIngestor(pipeline, store);
}
