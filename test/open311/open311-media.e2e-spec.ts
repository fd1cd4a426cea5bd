import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOPICS, type EventOf } from '@app/common';
import sharp from 'sharp';
import { Open311MediaWorker } from '../../apps/ingest-app/src/open311/open311-media.worker.js';
import { filesUnder, startIngestApp, type IngestAppHarness } from '../ingest-app/support/ingest-app-harness.js';
import { phonePhoto } from '../ingest-app/support/media-samples.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { Open311Client, specExampleForm } from './support/open311-client.js';

type Interaction = EventOf<typeof TOPICS.inquiryInteraction>;

/**
 * The media_url happy path needs a server to fetch from; the only one a test may reach is on loopback, which
 * the test-only OPEN311_MEDIA_ALLOW_LOOPBACK lets through (it is false by default and refused in production).
 */
describe('Open311 media_url fetching (real broker and database, loopback allowed by configuration)', () => {
  let h: IngestAppHarness;
  let client: Open311Client;
  let worker: Open311MediaWorker;
  let interactions: TopicReader;
  let server: Server;
  let base: string;
  let apiKey: string;
  let photo: Buffer;
  const routes = new Map<string, (res: import('node:http').ServerResponse) => void>();

  const post = async (mediaUrl: string, description: string) => {
    const res = await client.post('json', specExampleForm(apiKey, { media_url: mediaUrl, description })).expect(201);
    const [row] = await h.db.query('SELECT inquiry_id FROM ingest_app.inquiries WHERE tracking_no = $1', [res.body[0].service_request_id]);
    return row.inquiry_id as string;
  };
  const job = async (inquiryId: string) => (await h.db.query('SELECT * FROM ingest_app.open311_media_jobs WHERE inquiry_id = $1', [inquiryId]))[0];

  beforeAll(async () => {
    photo = await phonePhoto(1600, 1200, 3);
    routes.set('/photo.jpg', (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo));
    routes.set('/redirect-private', (res) => res.writeHead(302, { location: 'http://10.0.0.1/photo.jpg' }).end());
    routes.set('/redirect-ok', (res) => res.writeHead(301, { location: '/photo.jpg' }).end());
    routes.set('/big', (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(300_000)));
    routes.set('/endless', (res) => {
      // No Content-Length: the cap must hold while streaming.
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    routes.set('/slow', () => undefined); // never answers
    routes.set('/gone', (res) => res.writeHead(404).end());
    routes.set('/flaky', (res) => res.writeHead(503).end());
    server = createServer((req, res) => (routes.get(req.url ?? '') ?? ((r) => r.writeHead(404).end()))(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    h = await startIngestApp({
      OPEN311_MEDIA_WORKER: 'false',
      OPEN311_MEDIA_ALLOW_LOOPBACK: 'true',
      OPEN311_MEDIA_MAX_BYTES: String(256 * 1024),
      OPEN311_MEDIA_TIMEOUT_MS: '1500',
      OPEN311_MEDIA_MAX_ATTEMPTS: '2',
    });
    client = new Open311Client(h.app);
    worker = h.app.get(Open311MediaWorker);
    interactions = await new TopicReader(testKafka(), TOPICS.inquiryInteraction.name).start();
    apiKey = (await client.http().post('/open311/admin/keys').set('X-Admin-Token', h.config.env.OPEN311_ADMIN_TOKEN!).send({ name: 'media tests' }).expect(201)).body.apiKey;
  });

  afterAll(async () => {
    await interactions.stop();
    await h.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches the photo after the request is durable, cleans it in the media pipeline and tells the router', async () => {
    const inquiryId = await post(`${base}/redirect-ok`, '路面坑洼，附现场照片链接。');
    expect(await job(inquiryId)).toMatchObject({ state: 'pending' }); // nothing fetched on the request path
    expect(await worker.drain()).toEqual(['done']);

    const done = await job(inquiryId);
    expect(done).toMatchObject({ state: 'done', attempts: 1 });
    const [inquiry] = await h.db.query('SELECT attachments FROM ingest_app.inquiries WHERE inquiry_id = $1', [inquiryId]);
    expect(inquiry.attachments).toEqual([done.attachment]);
    expect(await filesUnder(h.mediaDir)).toContain(done.attachment.objectKey);
    const meta = await sharp(`${h.mediaDir}/${done.attachment.objectKey}`).metadata();
    expect(meta.exif).toBeUndefined(); // the common pipeline re-encoded it without EXIF/GPS

    const event = await waitFor(
      () => interactions.values<Interaction>().find((e) => e.payload.inquiryId === inquiryId),
      'the InformationAdded interaction',
    );
    expect(event.type).toBe('InformationAdded');
    expect(event.payload).toMatchObject({ citizen: { channel: 'open311' }, attachments: [{ objectKey: done.attachment.objectKey, kind: 'photo' }] });
  });

  it('refuses a redirect to a private address, an oversize body (declared or streamed), a 404 and a non-media file', async () => {
    const ids = {
      redirect: await post(`${base}/redirect-private`, '重定向到内网地址。'),
      big: await post(`${base}/big`, '声明过大的文件。'),
      endless: await post(`${base}/endless`, '不声明长度的超大文件。'),
      gone: await post(`${base}/gone`, '不存在的图片。'),
    };
    routes.set('/not-media', (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end('MZ this is not a photo'));
    const notMedia = await post(`${base}/not-media`, '伪装成图片的文件。');
    await worker.drain();
    expect(await job(ids.redirect)).toMatchObject({ state: 'refused', last_error: expect.stringContaining('10.0.0.1') });
    expect(await job(ids.big)).toMatchObject({ state: 'refused', last_error: expect.stringContaining('larger than') });
    expect(await job(ids.endless)).toMatchObject({ state: 'refused', last_error: expect.stringContaining('larger than') });
    expect(await job(ids.gone)).toMatchObject({ state: 'refused', last_error: 'HTTP 404' });
    expect(await job(notMedia)).toMatchObject({ state: 'refused' });
    expect(await filesUnder(h.uploadDir)).toEqual([]);
  });

  it('retries a slow or failing server within its limits, then gives up, and the request stays', async () => {
    const slow = await post(`${base}/slow`, '服务器不响应。');
    const flaky = await post(`${base}/flaky`, '服务器暂时出错。');
    const started = Date.now();
    const outcomes = await worker.drain();
    expect(outcomes.sort()).toEqual(['retry', 'retry']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await job(slow)).toMatchObject({ state: 'pending', attempts: 1, last_error: expect.stringContaining('time limit') });
    await h.db.query(`UPDATE ingest_app.open311_media_jobs SET next_attempt_at = now() WHERE inquiry_id = ANY($1)`, [[slow, flaky]]);
    await worker.drain();
    expect(await job(slow)).toMatchObject({ state: 'failed', attempts: 2 });
    expect(await job(flaky)).toMatchObject({ state: 'failed', last_error: 'HTTP 503' });
    const stillThere = await client.http().get(`/open311/v2/requests.json`).expect(200);
    expect(stillThere.body.length).toBeGreaterThanOrEqual(2);
  });
});
