import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventProducer, newId, TOPICS, type EventOf } from '@app/common';
import { Open311MediaWorker } from '../../apps/ingest-app/src/open311/open311-media.worker.js';
import { startIngestApp, type IngestAppHarness } from '../ingest-app/support/ingest-app-harness.js';
import { testKafka, TopicReader, waitFor } from '../support/helpers.js';
import { Open311Client, specExampleForm } from './support/open311-client.js';
import { parseXml, stringLeaves, toSpark } from './support/xml.js';

type Submitted = EventOf<typeof TOPICS.inquirySubmitted>;

describe('Open311 GeoReport v2 (real broker and database)', () => {
  let h: IngestAppHarness;
  let client: Open311Client;
  let submitted: TopicReader;
  let producer: EventProducer;
  let worker: Open311MediaWorker;
  let apiKey: string;
  const eventsFor = (inquiryId: string) => submitted.values<Submitted>().filter((e) => e.payload.inquiryId === inquiryId);
  const admin = () => h.config.env.OPEN311_ADMIN_TOKEN!;
  const inquiryOf = async (trackingNo: string): Promise<string> =>
    (await h.db.query('SELECT inquiry_id FROM ingest_app.inquiries WHERE tracking_no = $1', [trackingNo]))[0].inquiry_id;
  const caseEvent = <T extends keyof (typeof TOPICS.caseEvents)['events'] & string>(type: T, payload: Record<string, unknown>) =>
    producer.publish(TOPICS.caseEvents, type, { actor: 'system', at: new Date().toISOString(), ...payload } as never);
  const issueKey = async (name: string, ratePerMinute?: number): Promise<{ keyId: string; apiKey: string }> =>
    (await client.http().post('/open311/admin/keys').set('X-Admin-Token', admin()).send({ name, ratePerMinute }).expect(201)).body;

  beforeAll(async () => {
    h = await startIngestApp({ OPEN311_MEDIA_WORKER: 'false' });
    client = new Open311Client(h.app);
    const kafka = testKafka();
    producer = new EventProducer(kafka, 'router');
    submitted = await new TopicReader(kafka, TOPICS.inquirySubmitted.name).start();
    worker = h.app.get(Open311MediaWorker);
    // No test may reach the internet: names resolve through this table; `localhost` through the system.
    const fakeDns: Record<string, string> = { 'farm3.static.flickr.com': '10.20.30.40', 'metadata.internal.test': '169.254.169.254', 'mapped.test': '::ffff:192.168.1.1' };
    worker.resolve = async (hostname) => {
      if (hostname === 'localhost') return lookup(hostname, { all: true });
      const address = fakeDns[hostname];
      if (!address) throw Object.assign(new Error('not in the test table'), { code: 'ENOTFOUND' });
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    };
    apiKey = (await issueKey('FixMyStreet test client')).apiKey;
  });

  afterAll(async () => {
    await submitted.stop();
    await producer.disconnect();
    await h.close();
  });

  it('issues API keys to the administrator only, keeps only their hash, lists and revokes them', async () => {
    await client.http().post('/open311/admin/keys').send({ name: 'x' }).expect(401);
    await client.http().post('/open311/admin/keys').set('X-Admin-Token', 'wrong-token').send({ name: 'x' }).expect(403);
    const issued = await issueKey('Revoked client', 5);
    expect(issued.apiKey).toMatch(/^o311_[A-Za-z0-9_-]{43}$/);
    const rows = await h.db.query('SELECT * FROM ingest_app.open311_api_keys WHERE key_id = $1', [issued.keyId]);
    expect(JSON.stringify(rows)).not.toContain(issued.apiKey);
    const list = await client.http().get('/open311/admin/keys').set('X-Admin-Token', admin()).expect(200);
    expect(list.body.find((k: { keyId: string }) => k.keyId === issued.keyId)).toMatchObject({ name: 'Revoked client', ratePerMinute: 5 });
    expect(JSON.stringify(list.body)).not.toContain('o311_');

    await client.post('json', specExampleForm(issued.apiKey, { description: '撤销前的一件' })).expect(201);
    await client.http().delete(`/open311/admin/keys/${issued.keyId}`).set('X-Admin-Token', admin()).expect(204);
    const refused = await client.post('xml', specExampleForm(issued.apiKey, { description: '撤销后的一件' })).expect(403);
    expect(toSpark(parseXml(refused.text))).toEqual([{ code: '403', description: expect.stringContaining('api_key') }]);
    await client.http().delete(`/open311/admin/keys/${newId()}`).set('X-Admin-Token', admin()).expect(404);
  });

  it('GET Service List: the categories as services, in XML and the same tree in JSON, with the spec\'s fields', async () => {
    const { json, xml, sparkOfXml } = await client.both('services.{format}?jurisdiction_id=yl.gov.cn');
    const services = json as Record<string, unknown>[];
    expect(services).toHaveLength(118);
    expect(sparkOfXml).toEqual(stringLeaves(json));
    expect(Object.keys(services[1])).toEqual(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
    expect(services[1]).toMatchObject({ service_code: '0102', service_name: '城市建设和市政管理', group: '城乡建设', metadata: true, type: 'realtime' });
    expect(services[1].keywords).toContain('自来水供应');
    expect(xml).toContain('<service_code>0102</service_code>');
    const unknownJurisdiction = await client.http().get('/open311/v2/services.json?jurisdiction_id=sfgov.org').expect(404);
    expect(unknownJurisdiction.body).toEqual([{ code: 404, description: expect.stringContaining('jurisdiction_id') }]);
    // An empty optional argument is the same as an absent one (spec "Optional Arguments").
    await client.http().get('/open311/v2/services.xml?jurisdiction_id=').expect(200);
  });

  it('offers Service Discovery pointing at the v2 endpoint, in both formats', async () => {
    const json = await client.http().get('/open311/discovery.json').expect(200);
    expect(json.body).toMatchObject({ endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', type: 'production', formats: ['text/xml', 'application/json'] }] });
    expect(json.body.endpoints[0].url).toMatch(/\/open311\/v2$/);
    const xml = await client.http().get('/open311/discovery.xml').expect(200);
    // supertest listens on a new port per request: only the host part of the url differs.
    const spark = toSpark(parseXml(xml.text)) as { endpoints: { url: string }[] };
    spark.endpoints[0].url = json.body.endpoints[0].url;
    expect(spark).toEqual(stringLeaves(json.body));
    expect(xml.text).toContain('<formats>\n        <format>text/xml</format>');
  });

  it('GET Service Definition: attributes with datatype, order and values; an unknown code is the spec\'s 404 in both formats', async () => {
    const { json, sparkOfXml } = await client.both('services/0402.{format}');
    expect(sparkOfXml).toEqual(stringLeaves(json));
    const definition = json as { service_code: string; attributes: Record<string, unknown>[] };
    expect(definition.service_code).toBe('0402');
    expect(Object.keys(definition.attributes[0])).toEqual(['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description', 'values']);
    const pollution = definition.attributes.find((a) => a.code === 'pollution_kind')!;
    expect(pollution).toMatchObject({ datatype: 'multivaluelist', required: true, order: 2 });

    const missing = await client.both('services/9999.{format}', 404);
    expect(missing.json).toEqual([{ code: 404, description: expect.stringContaining('service_code') }]);
    expect(missing.sparkOfXml).toEqual([{ code: '404', description: expect.stringContaining('service_code') }]);
    await client.http().get('/open311/v2/services.csv').expect(404);
    const elsewhere = await client.http().get('/open311/v2/no/such/thing.xml').expect(404);
    expect(toSpark(parseXml(elsewhere.text))).toEqual([{ code: '404', description: expect.any(String) }]);
  });

  it('POST Service Request: the spec\'s example creates one inquiry on channel open311 and exactly one event, also on retry', async () => {
    const form = specExampleForm(apiKey, { description: 'A large sinkhole is destroying the street. 联系电话 13912345678' });
    const res = await client.post('xml', form).expect(201);
    const [answer] = toSpark(parseXml(res.text)) as Record<string, string>[];
    expect(Object.keys(answer)).toEqual(['service_request_id', 'service_notice', 'account_id']);
    expect(answer.service_request_id).toMatch(/^YL\d{8}-\d{6}$/);
    const inquiryId = await inquiryOf(answer.service_request_id);

    // Durable before the answer: the inquiry, the Open311 record and the outbox row are committed.
    const outbox = await h.db.query(`SELECT count(*)::int AS n FROM ingest_app.outbox WHERE envelope::jsonb -> 'payload' ->> 'inquiryId' = $1`, [inquiryId]);
    expect(outbox[0].n).toBe(1);
    const [record] = await h.db.query('SELECT * FROM ingest_app.open311_requests WHERE inquiry_id = $1', [inquiryId]);
    expect(record).toMatchObject({ service_code: '0102', lat: 37.76524078, long: -122.4212043 });
    expect(JSON.stringify(record)).not.toMatch(/smit333|john|smith|111111111|tt222111|13912345678/);

    // The client retries (a lost answer): same request id, no second inquiry.
    const retry = await client.post('json', form).expect(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual([{ service_request_id: answer.service_request_id, service_notice: expect.any(String), account_id: null }]);

    const [event] = await waitFor(() => eventsFor(inquiryId).length > 0 && eventsFor(inquiryId), 'the InquirySubmitted event');
    await sleep(1000);
    expect(eventsFor(inquiryId)).toHaveLength(1);
    expect(event.payload).toMatchObject({
      channel: 'open311',
      citizen: { channel: 'open311' },
      trackingNo: answer.service_request_id,
      title: '城乡建设 · 城市建设和市政管理',
      location: { latitude: 37.76524078, longitude: -122.4212043, address: '1234 5th street' },
    });
    expect(JSON.stringify(event)).not.toMatch(/smit333|john|smith|tt222111/);

    // With an Idempotency-Key, concurrent retries are one request too.
    const keyed = specExampleForm(apiKey, { description: '井盖缺失，行人容易掉下去。' });
    const racing = await Promise.all(Array.from({ length: 4 }, () => client.post('json', keyed, { 'Idempotency-Key': 'open311-retry-0001' })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(racing.map((r) => r.body[0].service_request_id)).size).toBe(1);
    const keyedId = await inquiryOf(racing[0].body[0].service_request_id);
    await waitFor(() => eventsFor(keyedId).length > 0, 'the keyed InquirySubmitted event');
    await sleep(1000);
    expect(eventsFor(keyedId)).toHaveLength(1);
  });

  it('answers the spec\'s errors: missing key, bad key, unknown service, oversize description, no location, bad attributes', async () => {
    const count = async () => Number((await h.db.query('SELECT count(*)::int AS n FROM ingest_app.open311_requests'))[0].n);
    const before = await count();
    const missingKey = await client.post('xml', specExampleForm('', {})).expect(403);
    expect(toSpark(parseXml(missingKey.text))).toEqual([{ code: '403', description: expect.stringContaining('api_key') }]);
    const badKey = await client.post('json', specExampleForm('o311_not-a-key')).expect(403);
    expect(badKey.body).toEqual([{ code: 403, description: expect.stringContaining('api_key') }]);
    const unknownService = await client.post('json', specExampleForm(apiKey, { service_code: '001' })).expect(404);
    expect(unknownService.body[0]).toMatchObject({ code: 404, description: expect.stringContaining('service_code') });
    const oversize = await client.post('xml', specExampleForm(apiKey, { description: '路'.repeat(4001) })).expect(400);
    expect(toSpark(parseXml(oversize.text))).toEqual([{ code: '400', description: expect.stringContaining('4,000') }]);
    await client.post('json', specExampleForm(apiKey, { description: '路'.repeat(4000) })).expect(201);
    const noPlace = await client.post('json', specExampleForm(apiKey, { lat: undefined, long: undefined, address_string: undefined })).expect(400);
    expect(noPlace.body[0].description).toContain('location');
    // Two problems, two errors in the list.
    const attributes = await client.post('json', specExampleForm(apiKey, { service_code: '0402', lat: '38.2', long: undefined, 'attribute[WHISPAWN]': undefined })).expect(400);
    expect(attributes.body).toHaveLength(2);
    expect(attributes.body.map((e: { description: string }) => e.description).join(' ')).toMatch(/pollution_kind[\s\S]*lat/);
    const badValue = await client.post('json', `${specExampleForm(apiKey, { service_code: '0402' })}&attribute[pollution_kind][]=noise&attribute[pollution_kind][]=lava`).expect(400);
    expect(badValue.body[0].description).toContain('pollution_kind');
    await client.post('json', `${specExampleForm(apiKey, { service_code: '0402' })}&attribute[pollution_kind][]=noise&attribute[pollution_kind][]=air`).expect(201);
    await client.post('json', specExampleForm(apiKey, { jurisdiction_id: 'sfgov.org' })).expect(404);
    await client.http().post('/open311/v2/services.json').send(specExampleForm(apiKey)).expect(404);
    expect(await count()).toBe(before + 2);
  });

  it('GET Service Request(s) and the token: the public record through the case\'s life, masked, without personal data', async () => {
    const posted = await client.post('json', specExampleForm(apiKey, { description: '王府街路灯坏了，我叫陈红扬，电话 13912345678。' })).expect(201);
    const id = posted.body[0].service_request_id as string;
    const inquiryId = await inquiryOf(id);

    // At once, before the router has said anything: open, with the masked description.
    const first = await client.both(`requests/${id}.{format}`);
    expect(first.sparkOfXml).toEqual(stringLeaves(first.json));
    const [view] = first.json as Record<string, unknown>[];
    expect(view).toMatchObject({ service_request_id: id, status: 'open', service_code: '0102', service_name: '城市建设和市政管理', lat: 37.76524078, long: -122.4212043 });
    expect(view.requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(JSON.stringify(first.json)).not.toMatch(/13912345678|陈红扬|smit333|john|smith|111111111|tt222111/);
    const spekKeys = ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime'];
    expect(Object.keys(view).slice(0, spekKeys.length)).toEqual(spekKeys);

    const token = await client.both(`tokens/${inquiryId}.{format}`);
    expect(token.json).toEqual([{ service_request_id: id, token: inquiryId }]);
    expect(token.sparkOfXml).toEqual(stringLeaves(token.json));
    await client.both(`tokens/${newId()}.{format}`, 404);
    await client.both('requests/YL20000101-999999.{format}', 404);

    // The router's events: assigned to a unit (agency, expected time), then replied (closed with the reply).
    const replyDeadline = new Date(Date.now() + 5 * 86_400_000).toISOString();
    await caseEvent('Received', { inquiryId, channel: 'open311', trackingNo: id, content: '王府街路灯坏了', receivedAt: new Date().toISOString() });
    await caseEvent('Assigned', { inquiryId, unitId: 'u-street', unitName: '榆阳区住建局', coUnitIds: [], acceptDeadline: replyDeadline, replyDeadline });
    const assigned = await waitFor(async () => {
      const res = await client.http().get(`/open311/v2/requests/${id}.json`).expect(200);
      return res.body[0].agency_responsible === '榆阳区住建局' && res.body[0];
    }, 'the assignment in the read model');
    expect(assigned).toMatchObject({ status: 'open', expected_datetime: expect.stringMatching(/\+08:00$/) });

    await caseEvent('ReplyPosted', { inquiryId, unitId: 'u-street', unitName: '榆阳区住建局', text: '已修复。如有问题请致电 13912345678。', attachments: [], onTime: true });
    const closed = await waitFor(async () => {
      const res = await client.http().get(`/open311/v2/requests.json?service_request_id=${id},YL20000101-999999`).expect(200);
      return res.body[0]?.status === 'closed' && res.body;
    }, 'the reply in the read model');
    expect(closed).toHaveLength(1);
    expect(closed[0].status_notes).toContain('已修复');
    expect(JSON.stringify(closed)).not.toContain('13912345678');

    // Filters: status, service_code, date range; the spec's 90-day cap.
    const openOnes = await client.http().get('/open311/v2/requests.json?status=open').expect(200);
    expect(openOnes.body.every((r: { status: string }) => r.status === 'open')).toBe(true);
    expect(openOnes.body.some((r: { service_request_id: string }) => r.service_request_id === id)).toBe(false);
    const closedOnes = await client.both('requests.{format}?status=closed&service_code=0102');
    expect((closedOnes.json as { service_request_id: string }[]).map((r) => r.service_request_id)).toContain(id);
    expect(closedOnes.sparkOfXml).toEqual(stringLeaves(closedOnes.json));
    const old = await client.http().get('/open311/v2/requests.json?start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z').expect(200);
    expect(old.body).toEqual([]);
    const tooLong = await client.http().get('/open311/v2/requests.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z').expect(400);
    expect(toSpark(parseXml(tooLong.text))).toEqual([{ code: '400', description: expect.stringContaining('90') }]);
    await client.http().get('/open311/v2/requests.json?start_date=yesterday').expect(400);
    await client.http().get('/open311/v2/requests.json?status=pending').expect(400);
  });

  it('shows other channels\' cases once published, never their unpublished ones', async () => {
    const published = newId();
    const unpublished = newId();
    const receivedAt = new Date().toISOString();
    await caseEvent('Received', { inquiryId: published, channel: 'app', trackingNo: 'YL20261127-900001', content: '小区供暖不热', receivedAt });
    await caseEvent('Classified', { inquiryId: published, category: '城乡建设', confidence: 0.9 });
    await caseEvent('ReplyPosted', { inquiryId: published, unitId: 'u-heat', unitName: '市热力公司', text: '已调整供热参数。', attachments: [], onTime: true });
    await caseEvent('Received', { inquiryId: unpublished, channel: 'wechat', trackingNo: 'YL20261127-900002', content: '尚未答复的诉求', receivedAt });
    const [row] = await waitFor(async () => {
      const res = await client.http().get('/open311/v2/requests.json?service_request_id=YL20261127-900001,YL20261127-900002').expect(200);
      return res.body.length > 0 && res.body[0].status === 'closed' && res.body;
    }, 'the published case');
    expect(row).toMatchObject({ service_request_id: 'YL20261127-900001', service_name: '城乡建设', service_code: null, agency_responsible: '市热力公司' });
    await sleep(500);
    const again = await client.http().get('/open311/v2/requests.json?service_request_id=YL20261127-900001,YL20261127-900002').expect(200);
    expect(again.body).toHaveLength(1);
  });

  it('refuses media_url on private, loopback and link-local addresses, before storing when literal and in the background after DNS', async () => {
    for (const url of ['http://127.0.0.1/a.jpg', 'http://[::1]/a.jpg', 'http://10.0.0.8/a.jpg', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:127.0.0.1]/a.jpg', 'http://0x7f000001/a.jpg', 'http://100.64.0.1/a.jpg', 'file:///etc/passwd', 'gopher://example.org/']) {
      const res = await client.post('json', specExampleForm(apiKey, { media_url: url, description: `media ${url}` })).expect(400);
      expect(res.body[0].description).toContain('media_url');
    }

    // A name resolving to loopback or private ranges: the request is durable, the fetch is refused, nothing is contacted.
    let hits = 0;
    const server: Server = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const urls = [`http://localhost:${port}/photo.jpg`, 'http://metadata.internal.test/latest', 'https://mapped.test/a.jpg', 'http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg'];
      const ids: string[] = [];
      for (const url of urls) {
        const res = await client.post('json', specExampleForm(apiKey, { media_url: url, description: `后台获取 ${url}` })).expect(201);
        ids.push(await inquiryOf(res.body[0].service_request_id));
      }
      const outcomes = await worker.drain();
      expect(outcomes.filter((o) => o === 'refused').length).toBeGreaterThanOrEqual(urls.length);
      const jobs = await h.db.query('SELECT inquiry_id, state, last_error FROM ingest_app.open311_media_jobs WHERE inquiry_id = ANY($1)', [ids]);
      expect(jobs).toHaveLength(urls.length);
      for (const job of jobs) expect(job).toMatchObject({ state: 'refused', last_error: expect.stringMatching(/private|loopback|reserved|embeds/) });
      expect(hits).toBe(0);
      for (const id of ids) expect(await h.db.query('SELECT 1 FROM ingest_app.inquiries WHERE inquiry_id = $1', [id])).toHaveLength(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('limits each key to its rate with 429 and Retry-After, other keys unaffected', async () => {
    const slow = await issueKey('Slow client', 2);
    await client.post('json', specExampleForm(slow.apiKey, { description: '第一件' })).expect(201);
    await client.post('json', specExampleForm(slow.apiKey, { description: '第二件' })).expect(201);
    const limited = await client.post('xml', specExampleForm(slow.apiKey, { description: '第三件' })).expect(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(toSpark(parseXml(limited.text))).toEqual([{ code: '429', description: expect.any(String) }]);
    await client.post('json', specExampleForm(apiKey, { description: '另一个客户端不受影响' })).expect(201);
  });
});
