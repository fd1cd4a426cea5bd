// The citizens of the end-to-end load (e2e-load.bench.ts), in a worker thread so that generating, signing and
// timing requests never shares an event loop with the benchmark's Kafka consumer, stand-ins and SMTP server.
//
// Each inquiry comes from one channel: the app (JSON, or multipart with a small JPEG), WeChat (a long text that
// opens a draft, then 提交) or Weibo (the same conversation). Inquiries start open-loop on the step's schedule
// (lib/http-load.ts `openLoop`); each one's submission time is the scheduled time of its submitting request (the
// POST for the app, the 提交 push for WeChat and Weibo), so any delay of the server counts against it.
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { wechatSignature } from '../../apps/ingest-wechat/src/push/wechat-crypto.js';
import { buildWechatXml } from '../../apps/ingest-wechat/src/push/wechat-xml.js';
import { weiboSignature } from '../../apps/ingest-weibo/src/push/weibo.adapter.js';
import { weiboDate } from '../../test/support/weibo-stand-in.js';
import { openLoop, type HttpAnswer } from './http-load.js';
import { RawHttpClient, rawPost } from './raw-http.js';

export type E2eChannel = 'app' | 'wechat' | 'weibo';

export interface TrafficSetup {
  ports: Record<E2eChannel, number>;
  wechat: { appId: string; token: string; originalId: string };
  weibo: { uid: string; appSecret: string };
  texts: { title?: string; content: string }[];
  photo: Uint8Array;
  /** Unique per run: citizens' ids carry it, so a reused database never mixes runs. */
  runTag: string;
  /** Between a WeChat/Weibo citizen's long text and their 提交. */
  submitGapMs: number;
  /**
   * Keep-alive connections to each service, opened before the first step (a reverse proxy's upstream pool), the
   * most a service is sent at once; 0: opened as requests need them, up to 512.
   */
  connections: number;
}

/** One inquiry as the citizen saw it. */
export interface Submission {
  n: number;
  step: number;
  channel: E2eChannel;
  photo: boolean;
  /** app: the inquiry id answered; WeChat: the OpenID; Weibo: the sender uid (the citizen on `Received`). */
  key: string;
  /** Epoch ms (fractional) at which the submitting request was due. */
  submittedAt: number;
  /** Epoch ms when its last answer arrived. */
  answeredAt: number;
  /** How late the inquiry's first request left against its schedule: the load generator's own delay, ms. */
  sendLagMs: number;
  ok: boolean;
  error?: string;
}

export type TrafficCommand = { step: number; rate: number; seconds: number } | { stop: true };
export type TrafficMessage =
  | { submissions: Submission[] }
  | { progress: { step: number; started: number; total: number } }
  | { stepDone: { step: number; seconds: number } };

/** Out of 20 inquiries: 12 app (60%), 5 WeChat (25%), 3 Weibo (15%); every 10th app inquiry has a photo. */
export function channelOf(n: number): { channel: E2eChannel; photo: boolean } {
  const slot = n % 20;
  if (slot < 12) return { channel: 'app', photo: (Math.floor(n / 20) * 12 + slot) % 10 === 9 };
  return { channel: slot < 17 ? 'wechat' : 'weibo', photo: false };
}

// The corpus is anonymised ("A市", "A3区"); a real place of the city in front lets the router find an area.
const PLACES = ['榆阳区', '神木市', '府谷县', '靖边县', '定边县', '绥德县', '米脂县', '横山区', '佳县', '子洲县', '吴堡县', '清涧县'];
/**
 * The n-th inquiry's text: the corpus line, behind a place of the city that moves on by one each time round, so a
 * line comes back at the same place only after 12 rounds. (Adding n itself instead of the line's index brought
 * every line back to its place every other round, and from then on nearly every inquiry was a duplicate.)
 */
export function textOf(texts: TrafficSetup['texts'], n: number): { title?: string; content: string } {
  const line = n % texts.length;
  const t = texts[line];
  const place = PLACES[(Math.floor(n / texts.length) + line) % PLACES.length];
  return { ...(t.title ? { title: t.title } : {}), content: `${place}${t.content}` };
}

const BOUNDARY = '----wenzhenge2e7MA4YWxkTrZu0gW';
const TRACKING = /受理编号\s*(\S+)/;

const sleepUntil = (t: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
const epoch = (t: number): number => performance.timeOrigin + t;

/**
 * Citizens' requests go through the lean client of the push benchmarks: Node's HTTP client cost about as much CPU
 * per request as the services' push path, and every core-second the load spends is taken from the platform.
 *
 * With a pool (`connections`), a service gets no new connection under load. Node 20's libuv accepts one connection
 * per event-loop turn: opened on demand, a burst of new connections at a busy moment waited seconds in the kernel's
 * accept queue (with 200–400 of them queued, the app's answers took 13–24 s while the requests the app had read were
 * answered within 4 s).
 */
class Clients {
  private readonly byPort = new Map<number, RawHttpClient>();

  constructor(private readonly connections: number) {}

  /** Opens each service's pool (nothing without one). */
  async connect(ports: number[]): Promise<void> {
    if (this.connections > 0) await Promise.all(ports.map((port) => this.client(port).connect(this.connections)));
  }

  /** One POST; never rejects (a connection failure is status 0). */
  async post(port: number, path: string, contentType: string, body: string | Uint8Array): Promise<HttpAnswer> {
    try {
      const answer = await this.client(port).exchange(rawPost(path, contentType, body));
      return { status: answer.status, body: answer.body.toString('utf8') };
    } catch (error) {
      return { status: 0, body: error instanceof Error ? error.message : String(error) };
    }
  }

  private client(port: number): RawHttpClient {
    let client = this.byPort.get(port);
    if (!client) {
      // The services keep idle connections for 65 s (KEEP_ALIVE_MS); a pool is used in turn and stays open.
      const options = this.connections > 0 ? { maxSockets: this.connections, maxIdleMs: 60_000, roundRobin: true } : { maxSockets: 512 };
      this.byPort.set(port, (client = new RawHttpClient(port, options)));
    }
    return client;
  }
}

class Citizens {
  readonly http: Clients;
  private msgId = 7100000000000000000n + BigInt(Date.now()) * 1000n;
  private readonly weiboBase: number;

  constructor(private readonly s: TrafficSetup) {
    this.http = new Clients(s.connections);
    this.weiboBase = 4_000_000_000_000 + (Number.parseInt(s.runTag, 36) % 100_000) * 10_000_000;
  }

  async app(n: number, photo: boolean): Promise<{ answer: HttpAnswer; key?: string }> {
    const { title, content } = textOf(this.s.texts, n);
    const fields: Record<string, string> = { content, anonymous: 'true', ...(title ? { title } : {}) };
    let answer: HttpAnswer;
    if (photo) {
      const parts = Object.entries(fields).map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
      const body = Buffer.concat([
        Buffer.from(`${parts.join('')}--${BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
        this.s.photo,
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]);
      answer = await this.http.post(this.s.ports.app, '/inquiries', `multipart/form-data; boundary=${BOUNDARY}`, body);
    } else {
      answer = await this.http.post(this.s.ports.app, '/inquiries', 'application/json', JSON.stringify({ ...fields, anonymous: true }));
    }
    if (answer.status !== 201) return { answer };
    try {
      return { answer, key: (JSON.parse(answer.body) as { inquiryId: string }).inquiryId };
    } catch {
      return { answer: { status: -1, body: answer.body } };
    }
  }

  openId(n: number): string {
    return `oE2E${this.s.runTag}_${n}`;
  }

  wechatPush(openId: string, content: string): Promise<HttpAnswer> {
    const { appId, token, originalId } = this.s.wechat;
    const now = Math.floor(Date.now() / 1000);
    const body = buildWechatXml({ ToUserName: originalId, FromUserName: openId, CreateTime: now, MsgType: 'text', Content: content, MsgId: String(++this.msgId) });
    const nonce = String(Math.floor(Math.random() * 1e9));
    const timestamp = String(now);
    const query = new URLSearchParams({ signature: wechatSignature(token, timestamp, nonce), timestamp, nonce, openid: openId });
    return this.http.post(this.s.ports.wechat, `/wechat/${appId}?${query}`, 'text/xml', body);
  }

  weiboUid(n: number): number {
    return this.weiboBase + n;
  }

  weiboPush(sender: number, text: string): Promise<HttpAnswer> {
    const { uid, appSecret } = this.s.weibo;
    const body = JSON.stringify({ receiver_id: Number(uid), sender_id: sender, created_at: weiboDate(Date.now()), type: 'text', text, data: {} });
    const timestamp = String(Date.now());
    const nonce = String(Math.floor(Math.random() * 1e9));
    const query = new URLSearchParams({ signature: weiboSignature(appSecret, timestamp, nonce), timestamp, nonce });
    return this.http.post(this.s.ports.weibo, `/weibo/${uid}?${query}`, 'application/json', body);
  }

  /** The tracking number in the passive reply to 提交 (WeChat XML, or Weibo's URI-encoded JSON text). */
  static trackingIn(channel: 'wechat' | 'weibo', answer: HttpAnswer): string | undefined {
    let text = answer.body;
    if (channel === 'weibo') {
      try {
        text = (JSON.parse(decodeURIComponent((JSON.parse(answer.body) as { data: string }).data)) as { text: string }).text;
      } catch {
        return undefined;
      }
    }
    return TRACKING.exec(text)?.[1];
  }

  /** One inquiry, due at `scheduled` (performance time); resolves with what the citizen saw. */
  async inquiry(n: number, step: number, scheduled: number): Promise<Submission> {
    const { channel, photo } = channelOf(n);
    if (channel === 'app') {
      const sendLagMs = performance.now() - scheduled;
      const { answer, key } = await this.app(n, photo);
      const ok = answer.status === 201 && !!key;
      return { n, step, channel, photo, key: key ?? `failed:${n}`, submittedAt: epoch(scheduled), answeredAt: epoch(performance.now()), sendLagMs, ok, ...(ok ? {} : { error: `HTTP ${answer.status}` }) };
    }
    const { content } = textOf(this.s.texts, n);
    const wechat = channel === 'wechat';
    const key = wechat ? this.openId(n) : String(this.weiboUid(n));
    const push = (text: string): Promise<HttpAnswer> => (wechat ? this.wechatPush(key, text) : this.weiboPush(this.weiboUid(n), text));
    const submitDue = scheduled + this.s.submitGapMs;
    const sendLagMs = performance.now() - scheduled;
    const fail = (error: string): Submission => ({ n, step, channel, photo, key, submittedAt: epoch(submitDue), answeredAt: epoch(performance.now()), sendLagMs, ok: false, error });
    const opened = await push(content);
    if (opened.status !== 200) return fail(`long text: HTTP ${opened.status}`);
    // The citizen reads the reply, then sends 提交: never before the text's answer, never before its own time.
    await sleepUntil(submitDue);
    const submitted = await push('提交');
    if (submitted.status !== 200) return fail(`提交: HTTP ${submitted.status}`);
    if (!Citizens.trackingIn(channel, submitted)) return fail('提交: no tracking number in the reply');
    return { n, step, channel, photo, key, submittedAt: epoch(submitDue), answeredAt: epoch(performance.now()), sendLagMs, ok: true };
  }
}

function serve(setup: TrafficSetup): void {
  const port = parentPort!;
  const citizens = new Citizens(setup);
  const connected = citizens.http.connect(Object.values(setup.ports));
  let next = 0;
  let buffer: Submission[] = [];
  const flush = setInterval(() => {
    if (buffer.length === 0) return;
    port.postMessage({ submissions: buffer } satisfies TrafficMessage);
    buffer = [];
  }, 100);
  port.on('message', (command: TrafficCommand) => {
    if ('stop' in command) {
      clearInterval(flush);
      if (buffer.length) port.postMessage({ submissions: buffer } satisfies TrafficMessage);
      process.exit(0);
    }
    const first = next;
    const total = Math.round(command.rate * command.seconds);
    next += total;
    let lastReport = 0;
    void connected.then(() => openLoop({
      rate: command.rate,
      seconds: command.seconds,
      fire: async (i, scheduled) => {
        const submission = await citizens.inquiry(first + i, command.step, scheduled);
        buffer.push(submission); // after the await: `buffer` is replaced at each flush
      },
      onTick: (started) => {
        if (performance.now() - lastReport < 250) return;
        lastReport = performance.now();
        port.postMessage({ progress: { step: command.step, started, total } } satisfies TrafficMessage);
      },
    })).then((seconds) => {
      port.postMessage({ submissions: buffer } satisfies TrafficMessage);
      buffer = [];
      port.postMessage({ stepDone: { step: command.step, seconds } } satisfies TrafficMessage);
    });
  });
}

if (!isMainThread && (workerData as { e2eTraffic?: TrafficSetup } | null)?.e2eTraffic) serve((workerData as { e2eTraffic: TrafficSetup }).e2eTraffic);
