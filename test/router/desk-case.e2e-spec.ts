import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TOPICS, type Attachment, type InquirySubmitted } from '@app/common';
import { MediaPipeline } from '@app/common/media/media.pipeline.js';
import { newInquiry } from '../support/builders.js';
import { startRouter, type RouterHarness } from './router-support.js';

/** Buffers a binary response (supertest only parses text and JSON by itself). */
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('router: the desk case view, photo review and public-text masking', () => {
  let h: RouterHarness;
  let db: DataSource;
  let http: ReturnType<typeof request>;
  let dir: string;
  const desk = () => `Bearer ${h.token('desk', 'operator-7')}`;
  const unit = () => `Bearer ${h.token('unit', 'agent-1', 'U001')}`;
  const supervisor = () => `Bearer ${h.token('supervisor', 'sup-1')}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wz-desk-case-'));
    h = await startRouter({ ROUTER_MEDIA_DIR: join(dir, 'media'), ROUTER_UPLOAD_TMP_DIR: join(dir, 'tmp') });
    db = h.app.get(DataSource);
    http = request(h.app.getHttpServer());
  });
  afterAll(async () => h?.close());

  /** Two real JPEGs through the media pipeline into the router's object store, as an ingestor would store them. */
  async function storedPhotos(): Promise<Attachment[]> {
    const files = await Promise.all(
      [30, 200].map(async (red, i) => {
        const path = join(dir, `citizen-${Date.now()}-${i}.jpg`);
        await writeFile(path, await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: red, g: 90, b: 60 } } }).jpeg().toBuffer());
        return { path, expect: 'photo' as const };
      }),
    );
    return (await h.app.get(MediaPipeline).ingestAll(files)).attachments;
  }

  async function submitted(overrides: Partial<InquirySubmitted>, waitFor: string): Promise<string> {
    const inquiry = newInquiry(overrides);
    await h.producer.publish(TOPICS.inquirySubmitted, 'InquirySubmitted', inquiry);
    await h.waitForEvent(inquiry.inquiryId, waitFor);
    return inquiry.inquiryId;
  }

  const content = '榆阳区新建南路中段的井盖丢失了一个星期，晚上很危险。邻居赵志强的车牌照也被偷了，电话13912345678，请尽快处理。';
  let first: string;
  let id: string;
  let photos: Attachment[];

  beforeAll(async () => {
    photos = await storedPhotos();
    first = await submitted({ title: '新建南路井盖丢失', content }, 'Classified');
    id = await submitted(
      {
        title: '新建南路井盖丢失',
        content,
        attachments: photos,
        location: { latitude: 38.2851, longitude: 109.7349, address: '陕西省榆林市榆阳区新建南路' },
      },
      'QueuedForDesk',
    );
  });

  it('refuses the case view to callers without a token or with the wrong role', async () => {
    await http.get(`/desk/cases/${id}`).expect(401);
    await http.get(`/desk/cases/${id}`).set('Authorization', unit()).expect(403);
    await http.get(`/desk/cases/${id}/media`).query({ key: photos[0].objectKey }).set('Authorization', unit()).expect(403);
    await http.get(`/desk/cases/${id}`).set('Authorization', supervisor()).expect(200);
    await http.get(`/desk/cases/does-not-exist`).set('Authorization', desk()).expect(404);
  });

  it('shows the text, photos, coordinates and place names, suggestions with confidence, duplicates and the timeline', async () => {
    const res = await http.get(`/desk/cases/${id}`).set('Authorization', desk()).expect(200);
    const c = res.body;
    expect(c).toMatchObject({ inquiryId: id, status: 'queued_for_desk', content, title: '新建南路井盖丢失' });
    expect(c.location).toMatchObject({ latitude: 38.2851, longitude: 109.7349, address: '陕西省榆林市榆阳区新建南路', area: '榆阳区' });
    expect(c.classification.topicConfidence).toEqual(expect.any(Number));
    expect(c.suggestions.length).toBeGreaterThan(0);
    for (const s of c.suggestions) expect(s).toEqual({ unitId: expect.any(String), unitName: expect.any(String), score: expect.any(Number) });
    expect(c.duplicates).toContainEqual(expect.objectContaining({ inquiryId: first, flagged: true, similarity: 1 }));
    expect(c.timeline.map((t: { action: string }) => t.action)).toContain('queued_for_desk');
    expect(c.attachments).toHaveLength(2);
    expect(c.attachments[0]).toMatchObject({ kind: 'photo', objectKey: photos[0].objectKey, review: 'pending' });
    // The automatic mask runs first: the phone number is hidden, the neighbour's name is not (no cue for it).
    expect(c.publicText.content).not.toContain('13912345678');
    expect(c.publicText.content).toContain('赵志强');
    expect(c.publicText.maskedByDesk).toBe(false);

    const image = await http.get(c.attachments[0].url).set('Authorization', desk()).buffer(true).parse(binary).expect(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect((image.body as Buffer).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const thumb = await http.get(c.attachments[0].thumbnailUrl).set('Authorization', desk()).buffer(true).parse(binary).expect(200);
    expect((thumb.body as Buffer).length).toBeLessThan((image.body as Buffer).length);
    // Only the case's own objects: a key from another case, or a made-up one, is a 404.
    await http.get(`/desk/cases/${first}/media`).query({ key: photos[0].objectKey }).set('Authorization', desk()).expect(404);
    await http.get(`/desk/cases/${id}/media`).query({ key: '../../etc/passwd' }).set('Authorization', desk()).expect(404);
    await http.get(`/desk/cases/${id}/media`).set('Authorization', desk()).expect(400);
  });

  it('publishes an approved photo, keeps a hidden one private, and withdraws a photo hidden after publication', async () => {
    const [a, b] = photos.map((p) => p.objectKey);
    const body = { decisions: [{ objectKey: a, decision: 'approve' }, { objectKey: b, decision: 'hide' }], reason: '第二张拍到了车牌' };
    await http.post(`/desk/cases/${id}/photos`).set('Authorization', unit()).send(body).expect(403);
    await http.post(`/desk/cases/${id}/photos`).set('Authorization', supervisor()).send(body).expect(403);
    await http.post(`/desk/cases/${id}/photos`).set('Authorization', desk()).send({ decisions: [] }).expect(400);
    await http
      .post(`/desk/cases/${id}/photos`)
      .set('Authorization', desk())
      .send({ decisions: [{ objectKey: 'photos/00/not-this-case.jpg', decision: 'approve' }] })
      .expect(400);

    const reviewed = await http.post(`/desk/cases/${id}/photos`).set('Authorization', desk()).send(body).expect(201);
    expect(reviewed.body[a]).toMatchObject({ decision: 'approve', actor: 'operator-7' });
    expect(reviewed.body[b]).toMatchObject({ decision: 'hide' });
    const published = await h.waitForEvent(id, 'AttachmentsPublished');
    expect(published.payload).toMatchObject({ actor: 'operator-7', objectKeys: [a] });
    // The same decision again changes nothing and publishes nothing twice.
    await http.post(`/desk/cases/${id}/photos`).set('Authorization', desk()).send(body).expect(201);

    await http.post(`/desk/cases/${id}/photos`).set('Authorization', desk()).send({ decisions: [{ objectKey: a, decision: 'hide' }] }).expect(201);
    const withdrawn = await h.waitForEvent(id, 'AttachmentsWithdrawn');
    expect(withdrawn.payload).toMatchObject({ objectKeys: [a] });
    expect(h.eventsOf(id).filter((e) => e.type === 'AttachmentsPublished')).toHaveLength(1);

    const detail = await http.get(`/desk/cases/${id}`).set('Authorization', desk()).expect(200);
    expect(detail.body.attachments.map((x: { review: string }) => x.review)).toEqual(['hide', 'hide']);
    const audit = await db.query(`SELECT actor, reason, details FROM router.case_audit WHERE inquiry_id = $1 AND action = 'photos_reviewed' ORDER BY id`, [id]);
    expect(audit).toHaveLength(3);
    expect(audit[0]).toMatchObject({ actor: 'operator-7', reason: '第二张拍到了车牌', details: { approved: [a], hidden: [b], withdrawn: [] } });
    expect(audit[2].details).toMatchObject({ withdrawn: [a] });
  });

  it('masks further spans of the public text, audited, and refuses anything but added asterisks', async () => {
    const before = (await http.get(`/desk/cases/${id}`).set('Authorization', desk()).expect(200)).body.publicText;
    const masked = { title: before.title, content: before.content.replace('赵志强', '***'), reason: '邻居姓名' };
    await http.put(`/desk/cases/${id}/public-text`).set('Authorization', unit()).send(masked).expect(403);
    await http.put(`/desk/cases/${id}/public-text`).set('Authorization', desk()).send({ content: masked.content }).expect(400);
    // Rewording, unmasking what the automatic mask hid, or a different length: refused.
    const reworded = { ...masked, content: masked.content.replace('井盖', '窨井') };
    await http.put(`/desk/cases/${id}/public-text`).set('Authorization', desk()).send(reworded).expect(400);
    const unmasked = { ...masked, content: content.replace('赵志强', '***') };
    await http.put(`/desk/cases/${id}/public-text`).set('Authorization', desk()).send(unmasked).expect(400);
    await http.put(`/desk/cases/${id}/public-text`).set('Authorization', desk()).send({ ...masked, content: `${masked.content}*` }).expect(400);

    const saved = await http.put(`/desk/cases/${id}/public-text`).set('Authorization', desk()).send(masked).expect(200);
    expect(saved.body.content).not.toContain('赵志强');
    const event = await h.waitForEvent(id, 'PublicTextMasked');
    expect(event.payload).toMatchObject({ actor: 'operator-7', title: '新建南路井盖丢失', content: masked.content });
    const after = (await http.get(`/desk/cases/${id}`).set('Authorization', desk()).expect(200)).body;
    expect(after.publicText).toEqual({ title: '新建南路井盖丢失', content: masked.content, maskedByDesk: true });
    expect(after.content).toBe(content); // the desk still reads the original
    const [audit] = await db.query(`SELECT actor, reason, details FROM router.case_audit WHERE inquiry_id = $1 AND action = 'public_text_masked'`, [id]);
    expect(audit).toEqual({ actor: 'operator-7', reason: '邻居姓名', details: { maskedChars: 3 } });
  });
});
