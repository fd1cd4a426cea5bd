#!/usr/bin/env node
// Fault tests (issue 11, item 2): the compiled services under kill -9, broker and PostgreSQL restarts, then
// exactly-once checks; and a three-broker cluster losing a broker under load. See RELIABILITY.md.
//
//   node test/faults/run.mjs            full: 10,000 inquiries + cluster scenario  (npm run test:faults)
//   node test/faults/run.mjs --short    600 inquiries + a shorter cluster scenario  (part of npm test)
//
// In the single-broker scenario the inquiries come 60 % through the app, 25 % as WeChat and 15 % as Weibo
// conversations (lib/channel-load.mjs), whose vendors' APIs are stand-ins in this process; units answer the
// WeChat/Weibo cases meanwhile (lib/unit-replies.mjs), so the messages to those citizens go out under the faults;
// an operator assigns the cases queued for the desk (lib/desk-steps.mjs); and SLA clocks come due
// (lib/clock-mover.mjs), so warnings, breaches and their mails are raised under them too.
//
// Options: --inquiries N  --rate R (per second)  --seed S  --only single|cluster  --dist DIR (compiled output,
// default dist/ or $WZ_FAULTS_DIST)  --keep (keep the temp folder with logs)  --json FILE (results as JSON)
// --kill-pair A,B (the two cluster nodes killed together; default the leader of inquiry.submitted.v1/0 and the next)
// Ports (all 127.0.0.1): broker 29600/29601, apps 29610-29612, SMTP 29613, ingest-wechat 29614, ingest-weibo
// 29615, second router and notifier 29616/29617, units' webhook receiver 29618 (the vendor stand-ins take free
// ephemeral ports), cluster 29620-29622 (its KRaft
// controllers at +100, i.e. 29720-29722: scripts/kafka.mjs fixes that offset), embedded PostgreSQL 29650.

import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ChannelCitizens, channelOf, startVendorStandIns } from './lib/channel-load.mjs';
import { startPostgres, startSingleBroker, startSmtp, startThreeBrokers, startWebhookSink } from './lib/infra.mjs';
import { submitLoad } from './lib/load.mjs';
import { startProducerProbe } from './lib/producer-probe.mjs';
import { appOf, ServiceSet } from './lib/services.mjs';
import { printTable, query, readTopic, verify, waitQuiescent } from './lib/verify.mjs';
import { CHANNEL_SCHEMAS, channelDraftIds, channelInquiryIds, verifyChannels } from './lib/verify-channels.mjs';
import { UnitReplier } from './lib/unit-replies.mjs';
import { giveUnitsContacts } from './lib/unit-contacts.mjs';
import { verifyCitizenDeliveries } from './lib/verify-citizen-deliveries.mjs';
import { ClockMover } from './lib/clock-mover.mjs';
import { verifyClocks } from './lib/verify-clocks.mjs';
import { verifyReadModel } from './lib/verify-read-model.mjs';
import { verifyWebhooks } from './lib/verify-webhooks.mjs';
import { DeskOperator } from './lib/desk-steps.mjs';
import { verifyDesk } from './lib/verify-desk.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PORTS = { broker: 29600, ingest: 29610, router: 29611, notifier: 29612, smtp: 29613, wechat: 29614, weibo: 29615, router2: 29616, notifier2: 29617, webhook: 29618, cluster: 29620, pg: 29650 };
const ROUTER_SECRET = 'wz-faults-router-jwt-secret-0123456789abcdef';
const CLOCK_SCAN_MS = 1000;
const WEBHOOK_SECRET = 'wz-faults-unit-webhook-secret-0123456789';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    inquiries: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    dist: { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'string' },
    'kill-pair': { type: 'string' },
  },
});
const SHORT = args.short;
const CFG = {
  inquiries: Number(args.inquiries ?? (SHORT ? 600 : 10_000)),
  rate: Number(args.rate ?? (SHORT ? 12 : 40)),
  clusterInquiries: SHORT ? 300 : 3000,
  clusterRate: SHORT ? 5 : 30, // the short load lasts 60 s: both outages fall within it
  killsPerService: SHORT ? 1 : 3,
  brokerRestarts: SHORT ? ['kill'] : ['term', 'kill'],
  pgRestarts: SHORT ? 1 : 2,
  quiesceMs: SHORT ? 240_000 : 900_000,
  seed: Number(args.seed ?? Date.now() % 1_000_000),
};
const DIST = resolve(args.dist ?? process.env.WZ_FAULTS_DIST ?? join(ROOT, 'dist'));

const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const log = (msg) => process.stdout.write(`[faults ${stamp()}] ${msg}\n`);

// A small seeded PRNG (mulberry32), so a failing run's fault timings can be replayed with --seed.
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(CFG.seed);

// ---------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'wz-faults-'));
chmodSync(work, 0o755); // the embedded PostgreSQL runs as the postgres user when we are root
const cleanups = [];
const results = { mode: SHORT ? 'short' : 'full', seed: CFG.seed, config: CFG, startedAt: new Date().toISOString(), scenarios: {} };
let exitCode = 0;

function appEnv(databaseUrl, brokers) {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '8',
    KAFKA_BROKERS: brokers,
    INGEST_APP_PORT: String(PORTS.ingest),
    INGEST_WECHAT_PORT: String(PORTS.wechat),
    INGEST_WEIBO_PORT: String(PORTS.weibo),
    ROUTER_PORT: String(PORTS.router),
    NOTIFIER_PORT: String(PORTS.notifier),
    // The load comes from one address; the abuse limits are not what is under test here.
    RATE_LIMIT_PER_IP: '10000000',
    RATE_LIMIT_PER_ACCOUNT: '10000000',
    UPLOAD_TMP_DIR: join(work, 'upload-tmp'),
    MEDIA_DIR: join(work, 'media'),
    OPEN311_MEDIA_WORKER: 'false',
    ROUTER_JWT_SECRET: ROUTER_SECRET,
    // A copy taken at the start: the tree may change during a long run, and a restarted router must load the same data.
    ROUTER_DATA_DIR: join(work, 'router-data'),
    ROUTER_SNAPSHOT_TTL_MS: '2000',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(PORTS.smtp),
    RATE_EMAIL: '500',
    // A claim left by a killed notifier is recovered after the lease (must be ≥ 5 × the vendor timeout).
    VENDOR_TIMEOUT_MS: '3000',
    DISPATCH_LEASE_MS: '15000',
    DELIVERY_RETRY_BASE_MS: '500',
    DELIVERY_RETRY_MAX_MS: '5000',
    DELIVERY_MAX_ATTEMPTS: '20',
    SURVEY_DELAY_MS: '0',
    // The call-back's reminder comes due within the run, so it too is sent under faults.
    SURVEY_REMINDER_MS: '15000',
    // The clocks the harness moves (lib/clock-mover.mjs) are raised within a second; breaches go to supervision too.
    ROUTER_CLOCK_SCAN_MS: String(CLOCK_SCAN_MS),
    SUPERVISION_EMAILS: 'supervision@jw.faults.test',
  };
}

function runNode(script, env, logName) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      writeFileSync(join(work, `${logName}.log`), out);
      if (code === 0) resolveRun();
      else reject(new Error(`${script} exited ${code}:\n${out.slice(-2000)}`));
    });
  });
}

async function prepareSchemas(services, databaseUrl, brokers, topicEnv, apps) {
  // A cluster that has just formed may not know every new topic on every node yet; topics.js is idempotent.
  for (let attempt = 1; ; attempt++) {
    try {
      await runNode(join(DIST, 'scripts', 'topics.js'), { DATABASE_URL: databaseUrl, KAFKA_BROKERS: brokers, LOG_LEVEL: 'warn', ...topicEnv }, 'topics');
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
      log(`creating topics failed (attempt ${attempt}); retrying`);
      await sleep(2000);
    }
  }
  // Each app migrates its own schema; the shared token table's migration takes a lock. So all at once.
  await Promise.all(apps.map((app) => services.migrate(app)));
}

// ---------------------------------------------------------------------------
// Scenario 1: one broker; kill -9 every service, restart the broker and PostgreSQL, under load.

async function singleBrokerScenario(pgServer, smtp) {
  log(`scenario single: ${CFG.inquiries} inquiries at ${CFG.rate}/s, seed ${CFG.seed}`);
  const broker = await startSingleBroker({ port: PORTS.broker, dataDir: join(work, 'kafka'), stateDir: join(work, 'kafka-state'), log: (m) => log(`kafka: ${m}`) });
  cleanups.push(() => broker.stop());
  const databaseUrl = pgServer.databaseUrl;
  const vendors = await startVendorStandIns(DIST);
  cleanups.push(() => vendors.close());
  const services = new ServiceSet({ root: ROOT, dist: DIST, logDir: work, env: { ...appEnv(databaseUrl, broker.brokers), ...vendors.env }, log });
  cleanups.push(() => services.stopAll());
  const apps = [
    ['ingest-app', PORTS.ingest],
    ['ingest-wechat', PORTS.wechat],
    ['ingest-weibo', PORTS.weibo],
    ['router', PORTS.router],
    ['notifier', PORTS.notifier],
    // Second instances: one consumer group per app shared by two processes, two outbox relays, two dispatchers
    // claiming from one queue; a killed one's partitions and leases are taken over by the other.
    ['router.2', PORTS.router2],
    ['notifier.2', PORTS.notifier2],
  ];
  await prepareSchemas(services, databaseUrl, broker.brokers, {}, [...new Set(apps.map(([a]) => appOf(a)))]);
  for (const [app, port] of apps) services.start(app, port);
  for (const [app] of apps) await services.waitReady(app);
  const sink = await startWebhookSink({ port: PORTS.webhook, secret: WEBHOOK_SECRET });
  cleanups.push(() => sink.close());
  const contacts = await giveUnitsContacts({ routerUrl: `http://127.0.0.1:${PORTS.router}`, secret: ROUTER_SECRET, webhookUrl: sink.url, webhookSecret: WEBHOOK_SECRET });
  log(`services ready; ${contacts.emailsGiven} of ${contacts.units} units given an e-mail contact, ${contacts.hooked.size} a webhook`);

  // The fault plan: every fault at a random moment within the first 85% of the load, one at a time (a fault
  // that comes due while another is still under way waits for it, and may land in the drain after the load).
  const loadMs = (CFG.inquiries / CFG.rate) * 1000;
  const faults = [];
  for (const [app] of apps) for (let i = 0; i < CFG.killsPerService; i++) faults.push({ kind: 'kill', app });
  for (const mode of CFG.brokerRestarts) faults.push({ kind: 'broker', mode });
  for (let i = 0; i < CFG.pgRestarts; i++) faults.push({ kind: 'postgres' });
  for (const f of faults) f.at = 0.05 * loadMs + random() * 0.8 * loadMs;
  faults.sort((a, b) => a.at - b.at);
  const done = [];

  const faultLoop = (async () => {
    const start = Date.now();
    for (const f of faults) {
      const wait = start + f.at - Date.now();
      if (wait > 0) await sleep(wait);
      const t = Date.now();
      const down = Math.round(300 + random() * 2700);
      try {
        if (f.kind === 'kill') {
          await services.killAndRestart(f.app, down);
          done.push({ at: stamp(), startedAt: t, fault: `kill -9 ${f.app}`, downMs: down });
        } else if (f.kind === 'broker') {
          await broker.restart(f.mode, down);
          done.push({ at: stamp(), startedAt: t, fault: `broker ${f.mode === 'kill' ? 'kill -9' : 'stop (SIGTERM)'} + start`, downMs: Date.now() - t });
        } else {
          pgServer.crash();
          await sleep(down);
          pgServer.start();
          done.push({ at: stamp(), startedAt: t, fault: 'PostgreSQL stop -m immediate + start', downMs: Date.now() - t });
        }
        log(`fault: ${done.at(-1).fault} (down ${done.at(-1).downMs} ms)`);
      } catch (error) {
        log(`fault ${f.kind} failed: ${error.message}`);
        throw error;
      }
    }
  })();

  const citizens = new ChannelCitizens({ ports: PORTS, runTag: `s${CFG.seed}`, seed: CFG.seed, vendors });
  const routerUrls = [PORTS.router, PORTS.router2].map((port) => `http://127.0.0.1:${port}`);
  const replier = new UnitReplier({ databaseUrl, routerUrls, secret: ROUTER_SECRET, log });
  replier.start();
  const desk = new DeskOperator({ databaseUrl, routerUrls, secret: ROUTER_SECRET, fallbackUnit: [...contacts.hooked][0], random: prng(CFG.seed ^ 0x27d4eb2f), log });
  desk.start();
  // Its own PRNG: the fault plan of a seed stays what it was.
  const clocks = new ClockMover({ databaseUrl, random: prng(CFG.seed ^ 0x5bd1e995), log });
  clocks.start();
  const conversed = () => ['wechat', 'weibo'].map((ch) => `${ch} ${citizens.stats[ch].acked.size}/${citizens.stats[ch].conversations}`).join(', ');
  const load = await submitLoad({
    url: `http://127.0.0.1:${PORTS.ingest}`,
    count: CFG.inquiries,
    rate: CFG.rate,
    runTag: `s${CFG.seed}`,
    channels: { channelOf, converse: (n, channel) => citizens.converse(n, channel) },
    onProgress: (s) => log(`load: ${s.sent} sent, app ${s.acked} acknowledged, ${s.inFlight} in flight, ${s.failing} failing; conversations acknowledged ${conversed()}`),
  });
  await faultLoop;
  log(`load done in ${(load.durationMs / 1000).toFixed(1)}s: app ${load.acked.size} acknowledged, ${load.failed.size} not; conversations acknowledged ${conversed()}`);

  const channelIds = await channelInquiryIds(databaseUrl, citizens);
  const ackedIds = [...[...load.acked.values()].map((a) => a.inquiryId), ...channelIds];
  // The units go on answering what the router assigns until every inquiry is routed; then the last answers, and
  // quiet again with their messages to citizens sent.
  const routed = await waitQuiescent({ databaseUrl, ackedIds, withNotifier: true, extraSchemas: CHANNEL_SCHEMAS, timeoutMs: CFG.quiesceMs, log });
  // The desk's last assignments first: the units answer those too.
  await desk.drain();
  await Promise.all([replier.drain(), clocks.stop(CLOCK_SCAN_MS)]);
  log(`desk: ${JSON.stringify(desk.stats)}; units replied: ${JSON.stringify(replier.stats)}; ${clocks.moved.size} clocks moved`);
  const q = await waitQuiescent({ databaseUrl, ackedIds, withNotifier: true, extraSchemas: CHANNEL_SCHEMAS, timeoutMs: CFG.quiesceMs, log });
  q.waitedMs += routed.waitedMs;
  log(`quiescence ${q.quiet ? 'reached' : 'NOT reached'} after ${(q.waitedMs / 1000).toFixed(1)}s: ${JSON.stringify(q)}`);
  const checked = await verify({
    databaseUrl,
    brokers: broker.brokers,
    runTag: `s${CFG.seed}`,
    load,
    smtp,
    faults: done,
    quietAt: q.quietAt,
    channelIds,
    channelDraftIds: await channelDraftIds(databaseUrl),
  });
  const { events } = checked;
  const parts = [
    await verifyChannels({ databaseUrl, citizens }),
    await verifyCitizenDeliveries({ databaseUrl, replier, vendors, events, quietAt: q.quietAt }),
    await verifyClocks({ databaseUrl, mover: clocks, events, quietAt: q.quietAt, supervision: true }),
    await verifyDesk({ databaseUrl, desk, events }),
    await verifyReadModel({ databaseUrl, events }),
    await verifyWebhooks({ databaseUrl, sink, hookedUnits: contacts.hooked, ackedIds, events }),
  ];
  for (const part of parts) checked.failures.push(...part.failures);
  if (!q.quiet) checked.failures.push('quiescence not reached in time');
  const rows = [
    ...checked.rows,
    ...parts.flatMap((part) => part.rows),
    { what: 'load duration (s)', value: (load.durationMs / 1000).toFixed(1), ok: 'ok', note: `${CFG.rate}/s target` },
    { what: 'quiescence after load (s)', value: (q.waitedMs / 1000).toFixed(1), ok: q.quiet ? 'ok' : 'FAIL', note: '' },
  ];
  console.log(printTable('single broker: exactly-once checks', rows));
  console.log(printTable('faults injected', done.map((d) => ({ what: `${d.at} ${d.fault}`, value: d.downMs, ok: 'ok', note: 'ms down' }))));
  const listening = (s) => (s.listenMs.length ? `; listening again ${s.listenMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s after each start` : '');
  console.log(printTable('service processes', services.stats().map((s) => ({ what: s.service, value: `${s.starts} starts`, ok: 'ok', note: `${s.kills} kill -9, ${s.crashes} exits on their own${listening(s)}` }))));
  results.scenarios.single = { rows, faults: done, services: services.stats(), quiescence: q, failures: checked.failures };
  await services.stopAll();
  await broker.stop();
  return checked.failures;
}

// ---------------------------------------------------------------------------
// Scenario 2: three brokers, RF 3, min.insync.replicas 2; two brokers killed under load, later one stopped.

async function clusterScenario(pgServer) {
  log(`scenario cluster: ${CFG.clusterInquiries} inquiries at ${CFG.clusterRate}/s through ingest-app's outbox; two brokers killed, later one stopped`);
  const cluster = await startThreeBrokers({ basePort: PORTS.cluster, dataDir: join(work, 'cluster'), stateDir: join(work, 'cluster-state'), log: (m) => log(`kafka: ${m}`) });
  cleanups.push(() => cluster.stop());
  const databaseUrl = await pgServer.database('wenzheng_faults_cluster');
  const services = new ServiceSet({ root: ROOT, dist: DIST, logDir: join(work), env: { ...appEnv(databaseUrl, cluster.brokers) }, log });
  cleanups.push(() => services.stopAll());
  const apps = [
    ['ingest-app', PORTS.ingest],
    ['router', PORTS.router],
  ];
  await prepareSchemas(services, databaseUrl, cluster.brokers, { KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' }, apps.map(([a]) => a));
  for (const [app, port] of apps) services.start(app, port);
  for (const [app] of apps) await services.waitReady(app);

  // The broker to stop: the leader of partition 0 of inquiry.submitted.v1 (leadership must move under load).
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'wz-faults-admin', brokers: cluster.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const meta = await admin.fetchTopicMetadata({ topics: ['inquiry.submitted.v1'] });
  const victim = meta.topics[0].partitions.find((p) => p.partitionId === 0).leader;
  const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: 'inquiry.submitted.v1', configNames: ['min.insync.replicas'] }], includeSynonyms: false });
  const minIsr = cfg.resources[0].configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue;
  const rf = meta.topics[0].partitions[0].replicas.length;
  await admin.disconnect();
  log(`topics: replication factor ${rf}, min.insync.replicas ${minIsr}; will stop node ${victim} (leader of inquiry.submitted.v1/0)`);

  const loadMs = (CFG.clusterInquiries / CFG.clusterRate) * 1000;
  const probe = await startProducerProbe({ dist: DIST, brokers: cluster.brokers, ratePerS: 50 });
  const events = [];
  const unsent = async () => (await query(databaseUrl, `SELECT count(*)::int AS n FROM ingest_app.outbox WHERE sent_at IS NULL`))[0].n;
  let heldMax = 0;
  const faultLoop = (async () => {
    const began = Date.now();
    // Two of three killed: below min.insync.replicas and without a controller quorum. Sends must fail, and the
    // app must go on acknowledging with the rows held in its outbox until the nodes are back.
    await sleep(loadMs * 0.15);
    const pair = args['kill-pair'] ? args['kill-pair'].split(',').map(Number) : [victim, (victim % 3) + 1];
    let t = Date.now();
    for (const n of pair) await cluster.stopNode(n, 'SIGKILL');
    events.push({ at: stamp(), fault: `kill -9 broker nodes ${pair.join(' and ')} (two of three)`, ms: Date.now() - t });
    log(`fault: broker nodes ${pair.join(' and ')} killed`);
    for (const until = Date.now() + Math.min(15_000, Math.max(5000, loadMs * 0.15)); Date.now() < until; await sleep(1000)) heldMax = Math.max(heldMax, await unsent());
    t = Date.now();
    await cluster.startNode(pair);
    events.push({ at: stamp(), fault: `start broker nodes ${pair.join(' and ')} together`, ms: Date.now() - t });
    log(`broker nodes ${pair.join(' and ')} back`);
    // Then one stopped cleanly while the load goes on: leadership must move under load.
    await sleep(Math.max(3000, began + loadMs * 0.65 - Date.now()));
    t = Date.now();
    await cluster.stopNode(victim);
    events.push({ at: stamp(), fault: `stop broker node ${victim}`, ms: Date.now() - t });
    log(`fault: broker node ${victim} stopped`);
    await sleep(Math.max(5000, began + loadMs * 0.9 - Date.now()));
    t = Date.now();
    await cluster.startNode(victim);
    events.push({ at: stamp(), fault: `start broker node ${victim}`, ms: Date.now() - t });
    log(`broker node ${victim} back`);
  })();
  const load = await submitLoad({
    url: `http://127.0.0.1:${PORTS.ingest}`,
    count: CFG.clusterInquiries,
    rate: CFG.clusterRate,
    runTag: `c${CFG.seed}`,
    onProgress: (s) => log(`load: ${s.sent} sent, ${s.acked} acknowledged, ${s.inFlight} in flight, ${s.failing} failing`),
  });
  await faultLoop;
  const probed = await probe.stop();
  log(`load done in ${(load.durationMs / 1000).toFixed(1)}s: ${load.acked.size} acknowledged, ${load.failed.size} not; probe ${JSON.stringify(probed)}`);
  const ackedIds = [...load.acked.values()].map((a) => a.inquiryId);
  const q = await waitQuiescent({ databaseUrl, ackedIds, withNotifier: false, timeoutMs: CFG.quiesceMs, stallMs: 45_000, log });
  log(`quiescence ${q.quiet ? 'reached' : 'NOT reached'} after ${(q.waitedMs / 1000).toFixed(1)}s: ${JSON.stringify(q)}`);
  const checked = await verify({ databaseUrl, brokers: cluster.brokers, runTag: `c${CFG.seed}`, load });
  // On the topic itself: every acknowledged inquiry's InquirySubmitted is readable from the surviving replicas.
  const submitted = await readTopic(cluster.brokers, 'inquiry.submitted.v1');
  const onTopic = new Set(submitted.map((m) => m.value.payload?.inquiryId));
  const missing = ackedIds.filter((id) => !onTopic.has(id)).length;
  const outboxSent = (await query(databaseUrl, `SELECT count(*)::int AS n FROM ingest_app.outbox WHERE sent_at IS NOT NULL AND topic = 'inquiry.submitted.v1'`))[0].n;
  const rows = [
    { what: 'replication factor / min.insync.replicas', value: `${rf} / ${minIsr}`, ok: rf === 3 && minIsr === '2' ? 'ok' : 'FAIL', note: '' },
    { what: 'outbox rows acknowledged by Kafka (acks=all)', value: outboxSent, ok: 'ok', note: '' },
    { what: 'outbox rows held while two brokers were down (most at once)', value: heldMax, ok: heldMax > 0 ? 'ok' : 'FAIL', note: 'the app acknowledged them; Kafka could not take them' },
    { what: 'EventProducer probe: sends / acknowledged / failed', value: `${probed.attempts} / ${probed.acked} / ${probed.failed}`, ok: 'ok', note: 'faults.probe.v1, RF 3, min ISR 2' },
    { what: 'EventProducer probe: acknowledged but not on the topic', value: probed.lost, ok: probed.lost === 0 ? 'ok' : 'FAIL', note: '' },
    { what: 'EventProducer probe: values on the topic twice', value: probed.duplicated, ok: probed.duplicated === 0 ? 'ok' : 'FAIL', note: 'idempotent producer' },
    { what: 'acknowledged inquiries missing on inquiry.submitted.v1', value: missing, ok: missing === 0 ? 'ok' : 'FAIL', note: '' },
    ...checked.rows,
    { what: 'load duration (s)', value: (load.durationMs / 1000).toFixed(1), ok: 'ok', note: '' },
    { what: 'quiescence after load (s)', value: (q.waitedMs / 1000).toFixed(1), ok: q.quiet ? 'ok' : 'FAIL', note: '' },
  ];
  if (probed.lost) checked.failures.push(`${probed.lost} acknowledged EventProducer sends missing on ${'faults.probe.v1'}`);
  if (probed.duplicated) checked.failures.push(`${probed.duplicated} EventProducer sends duplicated on faults.probe.v1`);
  if (missing) checked.failures.push(`${missing} acknowledged inquiries missing on inquiry.submitted.v1`);
  if (rf !== 3 || minIsr !== '2') checked.failures.push('cluster topics are not RF 3 / min.insync.replicas 2');
  if (!q.quiet) checked.failures.push('cluster: quiescence not reached in time');
  if (heldMax === 0) checked.failures.push('cluster: no outbox row was held while two brokers were down (did the app stop acknowledging?)');
  console.log(printTable('three brokers: two killed, later one stopped, under load', rows));
  console.log(printTable('cluster faults', events.map((e) => ({ what: `${e.at} ${e.fault}`, value: e.ms, ok: 'ok', note: 'ms to complete' }))));
  results.scenarios.cluster = { rows, faults: events, victim, quiescence: q, failures: checked.failures };
  await services.stopAll();
  await cluster.stop();
  return checked.failures;
}

// ---------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(DIST, 'apps', 'router', 'src', 'main.js'))) throw new Error(`no compiled services in ${DIST}; run \`npm run build\` (or pass --dist)`);
  // Compiled output outside the repo (a private --outDir) must still resolve the repo's packages.
  if (!DIST.startsWith(ROOT + '/') && !existsSync(join(DIST, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(DIST, 'node_modules'));
  log(`work folder ${work}; compiled services from ${DIST}`);
  cpSync(join(ROOT, 'apps', 'router', 'data'), join(work, 'router-data'), { recursive: true });
  const pgHome = join(work, 'pg');
  const pgServer = await startPostgres({ home: pgHome, port: PORTS.pg, database: 'wenzheng_faults', log: (m) => log(`postgres: ${m}`) });
  cleanups.push(async () => pgServer.stop());
  const smtp = await startSmtp({ port: PORTS.smtp });
  cleanups.push(() => smtp.close());
  const failures = [];
  if (args.only !== 'cluster') failures.push(...(await singleBrokerScenario(pgServer, smtp)));
  if (args.only !== 'single') failures.push(...(await clusterScenario(pgServer)));
  results.finishedAt = new Date().toISOString();
  results.durationS = Math.round((Date.now() - t0) / 1000);
  results.failures = failures;
  const checks = Object.values(results.scenarios).flatMap((sc) => sc.rows);
  results.checks = { passed: checks.filter((r) => r.ok === 'ok').length, failed: checks.filter((r) => r.ok !== 'ok').length };
  writeFileSync(join(work, 'results.json'), JSON.stringify(results, null, 2));
  if (args.json) writeFileSync(resolve(args.json), JSON.stringify(results, null, 2));
  console.log(`\nfault checks: ${results.checks.passed} passed, ${results.checks.failed} failed`);
  if (failures.length) {
    console.log(`\nFAULT TESTS FAILED (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    exitCode = 1;
  } else {
    console.log(`\nfault tests passed in ${results.durationS}s (seed ${CFG.seed})${args.json ? `; results in ${resolve(args.json)}` : ''}`);
  }
}

async function cleanup() {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch (error) {
      log(`cleanup: ${error.message}`);
    }
  }
  if (!args.keep && exitCode === 0) rmSync(work, { recursive: true, force: true });
  else log(`logs and results kept in ${work}`);
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${sig}: cleaning up`);
    exitCode = 130;
    cleanup().finally(() => process.exit(130));
  });
}

main()
  .catch((error) => {
    console.error(`\nfault test run failed: ${error.stack ?? error.message}`);
    exitCode = 2;
  })
  .finally(async () => {
    await cleanup();
    process.exit(exitCode);
  });
