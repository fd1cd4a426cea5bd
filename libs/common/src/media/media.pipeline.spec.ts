import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { disguisedExecutable, mp4Like, phonePhoto, pngBomb } from '../../../../test/ingest-app/support/media-samples.js';
import { CodedError } from '../http/coded-error.js';
import { MediaPipeline } from './media.pipeline.js';
import { LocalDiskObjectStore } from './object-store.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

describe(MediaPipeline.name, () => {
  let work: string;
  let store: LocalDiskObjectStore;
  let pipeline: MediaPipeline;
  let n = 0;
  const file = async (bytes: Buffer): Promise<string> => {
    const path = join(work, 'in', `upload-${++n}`);
    await writeFile(path, bytes);
    return path;
  };

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'wz-media-'));
    await mkdir(join(work, 'in'));
    store = new LocalDiskObjectStore(join(work, 'store'));
    pipeline = new MediaPipeline(store, { maxInputPixels: 50e6, photoMaxBytes: 20e6, videoMaxBytes: 1e6 });
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('turns the photo upright, bounds it to 2048 px, writes a 320 px thumbnail and keeps no metadata', async () => {
    const original = await phonePhoto(3000, 2000);
    const before = await sharp(original).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.toString('latin1')).toContain('Wenzheng Test Phone');
    const { attachment, created } = await pipeline.ingestFile(await file(original), 'photo');
    expect(attachment).toMatchObject({ kind: 'photo', contentType: 'image/jpeg', width: 1365, height: 2048 });
    expect(created).toEqual([attachment.objectKey, attachment.thumbnailKey]);
    const stored = await sharp(store.pathOf(attachment.objectKey)).metadata();
    expect([stored.width, stored.height]).toEqual([1365, 2048]);
    expect(stored.exif).toBeUndefined();
    expect(stored.icc).toBeUndefined();
    expect(stored.xmp).toBeUndefined();
    expect(stored.orientation).toBeUndefined();
    const thumbnail = await sharp(store.pathOf(attachment.thumbnailKey!)).metadata();
    expect(Math.max(thumbnail.width!, thumbnail.height!)).toBe(320);
    expect(thumbnail.exif).toBeUndefined();
  });

  it('stores the same photo once and reports the same key and hash the second time', async () => {
    const photo = await phonePhoto(800, 600, 7);
    const first = await pipeline.ingestFile(await file(photo));
    const second = await pipeline.ingestFile(await file(photo));
    expect(second.attachment).toEqual(first.attachment);
    expect(second.created).toEqual([]);
    expect(await listFiles(join(work, 'store'))).toHaveLength(2);
  });

  it('refuses a decompression bomb from its header and stores nothing', async () => {
    const error = await pipeline.ingestFile(await file(pngBomb())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).code).toBe('media.pixel_limit');
    expect(await listFiles(join(work, 'store'))).toEqual([]);
  });

  it('refuses an executable whatever its name says', async () => {
    const error = await pipeline.ingestFile(await file(disguisedExecutable())).catch((e: unknown) => e);
    expect((error as CodedError).kind).toBe('unsupported_media');
  });

  it('refuses a video where a photo was expected', async () => {
    const error = await pipeline.ingestFile(await file(mp4Like(1000)), 'photo').catch((e: unknown) => e);
    expect((error as CodedError).code).toBe('media.unsupported_type');
  });

  it('streams a video into the store and refuses one over the cap', async () => {
    const { attachment } = await pipeline.ingestFile(await file(mp4Like(500_000)), 'video');
    expect(attachment).toMatchObject({ kind: 'video', contentType: 'video/mp4', bytes: 500_000 });
    const error = await pipeline.ingestFile(await file(mp4Like(1_000_001)), 'video').catch((e: unknown) => e);
    expect((error as CodedError).kind).toBe('too_large');
    expect(await listFiles(join(work, 'store'))).toHaveLength(1);
  });

  it('deletes what a batch already stored when a later file fails', async () => {
    const good = await file(await phonePhoto(640, 480, 3));
    const bad = await file(disguisedExecutable());
    await expect(pipeline.ingestAll([{ path: good, expect: 'photo' }, { path: bad, expect: 'photo' }])).rejects.toThrow(CodedError);
    expect(await listFiles(join(work, 'store'))).toEqual([]);
  });
});
