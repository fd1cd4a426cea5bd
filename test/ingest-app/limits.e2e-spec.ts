import request from 'supertest';
import { waitFor } from '../support/helpers.js';
import { filesUnder, startIngestApp, type IngestAppHarness } from './support/ingest-app-harness.js';
import { mp4Like } from './support/media-samples.js';

describe('ingest-app limits (real broker and database)', () => {
  let h: IngestAppHarness;
  const http = () => request(h.app.getHttpServer());

  beforeAll(async () => {
    h = await startIngestApp({ RATE_LIMIT_PER_IP: '6', VIDEO_MAX_BYTES: '300000', PHOTO_MAX_BYTES: '200000', READ_MODEL_CONSUMER: 'false' });
  });

  afterAll(async () => {
    await h.close();
  });

  it('streams a video to the store, and refuses one over the cap with 413 leaving nothing behind', async () => {
    const ok = await http().post('/inquiries').field('content', '附视频：河道有人倾倒垃圾。').attach('video', mp4Like(250_000), { filename: 'v.mp4', contentType: 'video/mp4' }).expect(201);
    expect(ok.body.attachments).toBe(1);
    const stored = await filesUnder(h.mediaDir);
    expect(stored).toEqual([expect.stringMatching(/^videos\/[0-9a-f]{2}\/[0-9a-f]{64}\.mp4$/)]);

    const big = await http().post('/inquiries').field('content', '附视频：河道有人倾倒垃圾。').attach('video', mp4Like(400_000), { filename: 'v.mp4', contentType: 'video/mp4' }).expect(413);
    expect(big.body).toMatchObject({ statusCode: 413, code: 'upload.file_too_large' });
    expect(await filesUnder(h.mediaDir)).toEqual(stored);
    await waitFor(async () => (await filesUnder(h.uploadDir)).length === 0, 'temporary uploads removed');
  });

  it('answers 429 with a reason once an IP passes its limit', async () => {
    let last: request.Response | undefined;
    for (let i = 0; i < 8 && last?.status !== 429; i++) last = await http().get('/portal/figures');
    expect(last?.status).toBe(429);
    expect(last?.body).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    expect(last?.body.message).toContain('秒后再试');
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
  });
});
