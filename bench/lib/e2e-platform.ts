// The whole platform as in production for the end-to-end load: the five compiled services as child processes
// (`node dist/apps/<name>/src/main.js migrate`, then serve; test/faults/lib/services.mjs starts them), the vendor
// stand-ins the notifier and the ingestors talk to (WeChat and Weibo APIs from test/support), a real SMTP server
// for unit e-mails, and every routing unit given an e-mail address through the router's registry API.
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kafka } from 'kafkajs';
import { SmtpSink } from '../../test/notifier/support/smtp-sink.js';
import { WechatApiStandIn } from '../../test/support/stand-ins/wechat-api.js';
import { WeiboApiStandIn } from '../../test/support/stand-ins/weibo-api.js';

export const SERVICES = ['ingest-app', 'ingest-wechat', 'ingest-weibo', 'router', 'notifier'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const WECHAT_ACCOUNT = { appId: 'wxe2ebench0000001', appSecret: 'e2e-bench-wechat-secret', token: 'e2ebenchtoken', originalId: 'gh_e2ebench' };
export const WEIBO_ACCOUNT = { uid: '1902538057', appSecret: 'e2e-bench-weibo-secret' };
const ROUTER_SECRET = 'wz-e2e-bench-router-jwt-secret-0123456789';
const PORT_ENV: Record<ServiceName, string> = {
  'ingest-app': 'INGEST_APP_PORT',
  'ingest-wechat': 'INGEST_WECHAT_PORT',
  'ingest-weibo': 'INGEST_WEIBO_PORT',
  router: 'ROUTER_PORT',
  notifier: 'NOTIFIER_PORT',
};

/** test/faults/lib/services.mjs, as much of it as we use. */
interface ServiceSet {
  migrate(name: string): Promise<void>;
  start(name: string, port: number): { child: { pid?: number } };
  waitReady(name: string, timeoutMs?: number): Promise<void>;
  stats(): { service: string; starts: number; kills: number; crashes: number }[];
  stopAll(): Promise<void>;
  procs: Map<string, { child: { pid?: number }; exited: boolean }>;
}

export interface Platform {
  ports: Record<ServiceName, number>;
  /** Current pid of each service (a service that crashed is restarted by ServiceSet with a new pid). */
  pids(): Record<ServiceName, number[]>;
  stats(): ReturnType<ServiceSet['stats']>;
  smtp: SmtpSink;
  wechat: WechatApiStandIn;
  weibo: WeiboApiStandIn;
  logDir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** HS256 JWT for the router's staff API: an administrator, signed with the secret the router was given. */
function adminToken(): string {
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'e2e-bench-admin', role: 'admin', iat: now, exp: now + 3600 })}`;
  return `${head}.${createHmac('sha256', ROUTER_SECRET).update(head).digest('base64url')}`;
}

/** The reference units have no e-mail address; an Assigned case would notify nobody. One each, at our SMTP server. */
async function giveUnitsEmails(routerPort: number): Promise<number> {
  const headers = { authorization: `Bearer ${adminToken()}`, 'content-type': 'application/json' };
  const base = `http://127.0.0.1:${routerPort}`;
  const res = await fetch(`${base}/admin/units`, { headers });
  if (!res.ok) throw new Error(`GET /admin/units: ${res.status} ${await res.text()}`);
  const units = (await res.json()) as { id: string; emails?: string[] }[];
  let changed = 0;
  for (const u of units) {
    if (u.emails?.length) continue;
    const email = `unit-${String(u.id).toLowerCase().replace(/[^a-z0-9-]/g, '')}@units.e2e.test`;
    const r = await fetch(`${base}/admin/units/${encodeURIComponent(u.id)}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ emails: [email], reason: 'e2e benchmark: unit e-mail contact' }),
    });
    if (!r.ok) throw new Error(`PATCH /admin/units/${u.id}: ${r.status} ${await r.text()}`);
    changed++;
  }
  return changed;
}

export interface PlatformOptions {
  root: string;
  work: string;
  databaseUrl: string;
  brokers: string;
  log: (message: string) => void;
  /** Connections per service; unset: the services' default. */
  poolSize?: string;
}

export async function startPlatform(o: PlatformOptions): Promise<Platform> {
  const [wechat, weibo, smtp] = await Promise.all([
    WechatApiStandIn.start(WECHAT_ACCOUNT.appId, WECHAT_ACCOUNT.appSecret),
    WeiboApiStandIn.start(),
    SmtpSink.start({ parse: false }), // counted only: the notifier's tests and benchmark check the mails themselves
  ]);
  const ports = {} as Record<ServiceName, number>;
  for (const name of SERVICES) ports[name] = await freePort();
  const logDir = join(o.work, 'logs');
  mkdirSync(logDir, { recursive: true });
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    DATABASE_URL: o.databaseUrl,
    KAFKA_BROKERS: o.brokers,
    ...(o.poolSize ? { DATABASE_POOL_SIZE: o.poolSize } : {}),
    ...Object.fromEntries(SERVICES.map((s) => [PORT_ENV[s], String(ports[s])])),
    // The load comes from one address; the abuse limits are not what is measured.
    RATE_LIMIT_PER_IP: '1000000000',
    RATE_LIMIT_PER_ACCOUNT: '1000000000',
    MEDIA_DIR: join(o.work, 'media'),
    UPLOAD_TMP_DIR: join(o.work, 'upload-tmp'),
    ROUTER_MEDIA_DIR: join(o.work, 'media'),
    ROUTER_UPLOAD_TMP_DIR: join(o.work, 'router-upload-tmp'),
    ROUTER_JWT_SECRET: ROUTER_SECRET,
    WECHAT_ACCOUNTS: JSON.stringify([WECHAT_ACCOUNT]),
    WECHAT_API_BASE: wechat.url,
    WEIBO_ACCOUNTS: JSON.stringify([{ ...WEIBO_ACCOUNT, accessToken: weibo.accessToken, pollMentions: false }]),
    WEIBO_API_BASE: weibo.url,
    WEIBO_UPLOAD_API_BASE: weibo.url,
    WEIBO_MESSAGE_API_BASE: weibo.url,
    WEIBO_ACCESS_TOKEN: weibo.accessToken,
    WECHAT_APP_ID: WECHAT_ACCOUNT.appId,
    WECHAT_APP_SECRET: WECHAT_ACCOUNT.appSecret,
    WECHAT_TEMPLATE_ID: 'TPL_BENCH',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    // Topics may hold earlier benchmarks' case events; the notifier must not mail their units now.
    NOTIFIER_FROM_BEGINNING: 'false',
  };
  const { ServiceSet } = (await import(pathToFileURL(join(o.root, 'test', 'faults', 'lib', 'services.mjs')).href)) as {
    ServiceSet: new (options: object) => ServiceSet;
  };
  const services = new ServiceSet({ root: o.root, dist: join(o.root, 'dist'), logDir, env, log: o.log });
  // Interrupted (bench/run.ts exits on Ctrl-C after stopping the broker): no service outlives the benchmark.
  const killAll = (): void => {
    for (const p of services.procs.values()) if (!p.exited && p.child.pid) process.kill(p.child.pid, 'SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAll);
    await services.stopAll();
    await Promise.allSettled([wechat.close(), weibo.close(), smtp.close()]);
  };
  try {
    for (const name of SERVICES) await services.migrate(name);
    for (const name of SERVICES) services.start(name, ports[name]);
    for (const name of SERVICES) await services.waitReady(name);
    const changed = await giveUnitsEmails(ports.router);
    o.log(`services ready on ports ${SERVICES.map((s) => `${s} ${ports[s]}`).join(', ')}; ${changed} units given an e-mail address`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ports,
    pids: () =>
      Object.fromEntries(
        SERVICES.map((s) => {
          const p = services.procs.get(s);
          return [s, p && !p.exited && p.child.pid ? [p.child.pid] : []];
        }),
      ) as Record<ServiceName, number[]>,
    stats: () => services.stats(),
    smtp,
    wechat,
    weibo,
    logDir,
    stop,
  };
}

/**
 * Waits until every consumer group of the platform has read what its topics hold (a fresh group starting from
 * the beginning replays earlier benchmarks' messages first). Only groups with members count; a group with no
 * committed offset on a partition counts as caught up there: it started at the end, or has not read its first
 * batch yet (hence three quiet polls in a row).
 */
export async function waitForConsumers(kafka: Kafka, topics: string[], timeoutMs: number, report: (lag: number) => void): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    let quietPolls = 0;
    let lag = 0;
    while (Date.now() < deadline) {
      const ends = new Map<string, string>();
      for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, p.high);
      const { groups } = await admin.listGroups();
      const ids = groups.map((g) => g.groupId).filter((id) => !id.startsWith('bench'));
      // Only groups with members: a group left behind by an earlier benchmark never moves again.
      const live = ids.length ? (await admin.describeGroups(ids)).groups.filter((g) => g.members.length > 0).map((g) => g.groupId) : [];
      lag = 0;
      for (const groupId of live) {
        for (const t of await admin.fetchOffsets({ groupId, topics })) {
          for (const p of t.partitions) {
            if (Number(p.offset) < 0) continue;
            lag += Math.max(0, Number(ends.get(`${t.topic}/${p.partition}`) ?? 0) - Number(p.offset));
          }
        }
      }
      report(lag);
      quietPolls = lag === 0 ? quietPolls + 1 : 0;
      if (quietPolls >= 3) return 0;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
