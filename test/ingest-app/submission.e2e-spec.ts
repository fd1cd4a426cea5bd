import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS, type EventOf } from '@app/common';
import sharp from 'sharp';
import request from 'supertest';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { filesUnder, startIngestApp, type IngestAppHarness } from './support/ingest-app-harness.js';
import { disguisedExecutable, phonePhoto, pngBomb } from './support/media-samples.js';

type Submitted = EventOf<typeof TOPICS.inquirySubmitted>;

describe('ingest-app submission (real broker and database)', () => {
  let h: IngestAppHarness;
  let submitted: TopicReader;
  const http = () => request(h.app.getHttpServer());
  const eventsFor = (inquiryId: string) => submitted.values<Submitted>().filter((e) => e.payload.inquiryId === inquiryId);
  const inquiryCount = async () => Number((await h.db.query('SELECT count(*)::int AS n FROM ingest_app.inquiries'))[0].n);

  beforeAll(async () => {
    h = await startIngestApp();
    submitted = await new TopicReader(testKafka(), TOPICS.inquirySubmitted.name).start();
  });

  afterAll(async () => {
    await submitted.stop();
    await h.close();
  });

  it('answers a tracking number only after the inquiry and exactly one event referencing the stored, cleaned photos', async () => {
    const res = await http()
      .post('/inquiries')
      .field('typeHint', '投诉')
      .field('title', '小区门口路灯不亮')
      .field('content', '榆阳区新建南路某小区门口的路灯已经坏了两周，晚上出行很不安全。')
      .field('latitude', '38.2852')
      .field('longitude', '109.7347')
      .attach('photos', await phonePhoto(3000, 2000, 1), { filename: 'IMG_0001.jpg', contentType: 'image/jpeg' })
      .attach('photos', await phonePhoto(1200, 900, 2), { filename: 'IMG_0002.jpg', contentType: 'image/jpeg' })
      .expect(201);
    expect(res.body.trackingNo).toMatch(/^YL\d{8}-\d{6}$/);
    expect(res.body.attachments).toBe(2);
    expect(res.body.followUpToken).toEqual(expect.any(String));

    // Durable before the answer: the row and its outbox event are already committed.
    const [row] = await h.db.query('SELECT tracking_no FROM ingest_app.inquiries WHERE inquiry_id = $1', [res.body.inquiryId]);
    expect(row.tracking_no).toBe(res.body.trackingNo);
    const outbox = await h.db.query(`SELECT count(*)::int AS n FROM ingest_app.outbox WHERE envelope::jsonb -> 'payload' ->> 'inquiryId' = $1`, [res.body.inquiryId]);
    expect(outbox[0].n).toBe(1);

    const [event] = await waitFor(() => eventsFor(res.body.inquiryId).length > 0 && eventsFor(res.body.inquiryId), 'the InquirySubmitted event');
    await sleep(1000);
    expect(eventsFor(res.body.inquiryId)).toHaveLength(1);
    expect(event.type).toBe('InquirySubmitted');
    expect(event.payload).toMatchObject({ trackingNo: res.body.trackingNo, channel: 'app', anonymous: true, typeHint: '投诉' });
    expect(event.payload.location).toEqual({ latitude: 38.2852, longitude: 109.7347 });
    expect(event.payload.attachments).toHaveLength(2);

    const stored = await filesUnder(h.mediaDir);
    for (const attachment of event.payload.attachments) {
      expect(stored).toContain(attachment.objectKey);
      expect(stored).toContain(attachment.thumbnailKey);
      const meta = await sharp(`${h.mediaDir}/${attachment.objectKey}`).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.exif).toBeUndefined(); // no EXIF, hence no GPS
      expect(meta.xmp).toBeUndefined();
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(2048);
    }
    // Orientation 6 was applied: the 3000×2000 landscape is stored upright as a portrait.
    expect(event.payload.attachments[0]).toMatchObject({ width: 1365, height: 2048 });
    expect(await filesUnder(h.uploadDir)).toEqual([]);
  });

  it('numbers the day\'s submissions one after the other', async () => {
    const a = await http().post('/inquiries').send({ content: '第一件：路面塌陷需要维修。' }).expect(201);
    const b = await http().post('/inquiries').send({ content: '第二件：路面塌陷需要维修。' }).expect(201);
    const seq = (t: string) => Number(t.split('-')[1]);
    expect(seq(b.body.trackingNo)).toBe(seq(a.body.trackingNo) + 1);
    expect(a.body.trackingNo.slice(0, 10)).toBe(b.body.trackingNo.slice(0, 10));
  });

  it('refuses a decompression bomb with 413 and leaves no file and no case behind', async () => {
    const before = { files: await filesUnder(h.mediaDir), cases: await inquiryCount() };
    const res = await http()
      .post('/inquiries')
      .field('content', '附上现场照片，请尽快处理。')
      .attach('photos', await phonePhoto(640, 480, 9), { filename: 'ok.jpg', contentType: 'image/jpeg' })
      .attach('photos', pngBomb(), { filename: 'bomb.png', contentType: 'image/png' })
      .expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'media.pixel_limit' });
    expect(res.body.message).toContain('像素');
    expect(await filesUnder(h.mediaDir)).toEqual(before.files);
    expect(await inquiryCount()).toBe(before.cases);
    await waitFor(async () => (await filesUnder(h.uploadDir)).length === 0, 'temporary uploads removed');
  });

  it('refuses an executable disguised as a JPEG with 415 and leaves nothing behind', async () => {
    const before = { files: await filesUnder(h.mediaDir), cases: await inquiryCount() };
    const res = await http()
      .post('/inquiries')
      .field('content', '请看附件中的照片。')
      .attach('photos', disguisedExecutable(), { filename: 'photo.jpg', contentType: 'image/jpeg' })
      .expect(415);
    expect(res.body.code).toBe('media.unsupported_type');
    expect(await filesUnder(h.mediaDir)).toEqual(before.files);
    expect(await inquiryCount()).toBe(before.cases);
    await waitFor(async () => (await filesUnder(h.uploadDir)).length === 0, 'temporary uploads removed');
  });

  it('gives one case for the same Idempotency-Key, sequentially and concurrently', async () => {
    const photo = await phonePhoto(800, 600, 5);
    const send = (key: string) =>
      http().post('/inquiries').set('Idempotency-Key', key).field('content', '同一诉求重试了多次，请只算一件。')
        .attach('photos', photo, { filename: 'a.jpg', contentType: 'image/jpeg' });
    const first = await send('retry-key-0001').expect(201);
    const again = await send('retry-key-0001').expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);

    const before = await inquiryCount();
    const racing = await Promise.all(Array.from({ length: 6 }, () => send('retry-key-0002')));
    expect(racing.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(new Set(racing.map((r) => r.body.inquiryId)).size).toBe(1);
    expect(await inquiryCount()).toBe(before + 1);
    expect(await filesUnder(h.mediaDir)).toEqual(expect.arrayContaining([expect.stringMatching(/\.jpg$/)]));
  });

  it('refuses the same Idempotency-Key for a different request with 409', async () => {
    await http().post('/inquiries').set('Idempotency-Key', 'retry-key-0003').send({ content: '第一份不同的内容。' }).expect(201);
    const res = await http().post('/inquiries').set('Idempotency-Key', 'retry-key-0003').send({ content: '第二份不同的内容。' }).expect(409);
    expect(res.body.code).toBe('idempotency.key_reused');
  });

  it('answers bad input with 400 and a reason, never 5xx', async () => {
    const short = await http().post('/inquiries').send({ content: '太短' }).expect(400);
    expect(short.body).toMatchObject({ code: 'validation_failed' });
    expect(short.body.message).toContain('content 长度须为 5 到 5000 个字符');
    const type = await http().post('/inquiries').send({ content: '内容足够长了吧', typeHint: '闲聊' }).expect(400);
    expect(type.body.message).toContain('typeHint');
    const coords = await http().post('/inquiries').send({ content: '内容足够长了吧', latitude: 38.2 }).expect(400);
    expect(coords.body.code).toBe('inquiry.partial_coordinates');
    const json = await http().post('/inquiries').set('Content-Type', 'application/json').send('{"content": ').expect(400);
    expect(json.body.statusCode).toBe(400);
    expect(json.body.message).toEqual(expect.any(String));
    const tooMany = http().post('/inquiries').field('content', '太多照片了，十张。');
    for (let i = 0; i < 10; i++) tooMany.attach('photos', Buffer.from([0xff, 0xd8, 0xff, i]), { filename: `${i}.jpg` });
    const many = await tooMany.expect(400);
    // multer reports the tenth photo as a file beyond the field's maxCount.
    expect(many.body.code).toBe('upload.unexpected_field');
    expect(many.body.message).toContain('最多 9 张');
    const key = await http().post('/inquiries').set('Idempotency-Key', 'short').send({ content: '内容足够长了吧' }).expect(400);
    expect(key.body.code).toBe('idempotency.bad_key');
    await waitFor(async () => (await filesUnder(h.uploadDir)).length === 0, 'temporary uploads removed');
  });

  it('documents the API at /docs', async () => {
    const res = await http().get('/docs/openapi.json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/inquiries', '/me/cases', '/portal/cases', '/accounts/login']));
    await http().get('/docs').expect(200);
  });
});
