#!/usr/bin/env node
// `npm run up`: the one command that starts the whole platform on this machine (Node 20 + Java 17, no Docker).
//
//   1. npm ci if node_modules is missing; npm run build if dist/ is older than the sources
//   2. Kafka: a single KRaft broker from scripts/kafka.mjs (unless KAFKA_BROKERS points at one)
//   3. PostgreSQL: scripts/db.mjs (DATABASE_URL, else the machine's server, else the embedded one)
//   4. topics (dist/scripts/topics.js, or the library's ensureTopics), then each app's migrations
//   5. the five apps, with one readable log stream; waits until each answers GET /ready
//   6. sample data: `node dist/apps/<app>/src/main.js <args>` for each app that has apps/<app>/seed.json
//      ({"args": ["seed"], "description": "..."}); seeds must be idempotent (they run on every `up`)
//   7. prints where to look; Ctrl-C stops the apps, then Kafka, then an embedded PostgreSQL it started
//   The web front end (apps/web): built with Vite when its sources are newer than apps/web/dist, and served with
//   its API proxy (apps/web/server/serve.mjs) on WEB_PORT (default 3000) once the apps are ready.
//
// Kafka keeps its data in <cache>/kafka-data/broker-<port> so events not yet consumed when you stop survive
// the next `up`, like the database does (the database and the topics must not drift apart: rows whose
// outbox events were "sent" into a wiped broker would never reach their consumers). `--temp-kafka` uses a
// throw-away folder instead.
//
// The apps' log stream and supervisor live in scripts/up-apps.mjs (and scripts/up-guard.mjs).
// Only Node built-ins are imported statically: the rest is loaded after `npm ci`.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { APPS, mainOf, makeFormatter, NAME_WIDTH, paint, runAppCommand, say, Supervisor } from './up-apps.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_STAMP = join(ROOT, 'dist', '.up-build-stamp');
const SOURCE_DIRS = ['apps', 'libs', 'bench', 'scripts'];
const READY_TIMEOUT_MS = 120_000;


const USAGE = `Starts Kafka, PostgreSQL and the five apps of Wenzheng with one log stream.

Usage: node scripts/up.mjs [flags]     (npm run up -- [flags])

Flags:
  --no-install     do not run npm ci even if node_modules is missing
  --build          always run npm run build   --no-build   never
  --no-seed        do not load sample data
  --temp-kafka     Kafka data in a temporary folder (deleted on stop) instead of <cache>/kafka-data
  --only a,b       start only these apps (names: ${APPS.map((a) => a.name).join(', ')})

Environment: KAFKA_BROKERS (use that broker, start none), KAFKA_PORT (default 9092), KAFKA_DATA_DIR,
KAFKA_PARTITIONS (default 6), DATABASE_URL (see scripts/db.mjs), HOST, ${APPS.map((a) => a.portEnv).join(', ')},
LOG_LEVEL, WZ_UP_RESTARTS (restarts of a crashing app, default 3), WZ_CACHE_DIR.
`;

// ---------------------------------------------------------------------------
// Steps

function parseArgs(argv) {
  const flags = { install: true, build: 'auto', seed: true, tempKafka: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-install') flags.install = false;
    else if (a === '--build') flags.build = 'always';
    else if (a === '--no-build') flags.build = 'never';
    else if (a === '--no-seed') flags.seed = false;
    else if (a === '--temp-kafka') flags.tempKafka = true;
    else if (a === '--only') flags.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) flags.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--help' || a === '-h' || a === 'help') flags.help = true;
    else throw new Error(`unknown argument "${a}"\n\n${USAGE}`);
  }
  if (flags.only) {
    const unknown = flags.only.filter((n) => !APPS.some((a) => a.name === n));
    if (unknown.length) throw new Error(`unknown app(s) ${unknown.join(', ')}; apps are ${APPS.map((a) => a.name).join(', ')}`);
  }
  return flags;
}

function run(cmd, args, what) {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: process.env });
  if (res.error) throw new Error(`${what}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${what} failed (${res.status ?? res.signal})`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'results') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsStale() {
  if (!existsSync(BUILD_STAMP)) return true;
  const built = statSync(BUILD_STAMP).mtimeMs;
  const configs = readdirSync(ROOT).filter((f) => /^tsconfig.*\.json$|^package-lock\.json$/.test(f)).map((f) => statSync(join(ROOT, f)).mtimeMs);
  const sources = SOURCE_DIRS.filter((d) => existsSync(join(ROOT, d))).map((d) => newestMtime(join(ROOT, d)));
  return Math.max(...configs, ...sources) > built;
}

const WEB_SOURCES = ['apps/web/src', 'apps/web/index.html', 'apps/web/console', 'apps/web/vite.config.mjs', 'apps/router/data/units.json'];

function newestUnder(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestUnder(join(path, entry))));
}

/** Builds apps/web when its sources are newer than its dist; false when Vite is not installed (web skipped). */
function buildWeb(force) {
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) return false;
  const built = join(ROOT, 'apps/web/dist/index.html');
  const stale = !existsSync(built) || Math.max(...WEB_SOURCES.map((p) => join(ROOT, p)).filter(existsSync).map(newestUnder)) > statSync(built).mtimeMs;
  if (force || stale) run(process.execPath, [vite, 'build', '-c', 'apps/web/vite.config.mjs', '--logLevel', 'warn'], 'building the web front end');
  return true;
}

function isPortFree(port, host) {
  return new Promise((done) => {
    const server = net.createServer();
    server.once('error', () => done(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => done(true)));
  });
}

async function createTopics(env, format) {
  if (existsSync(join(ROOT, 'dist/scripts/topics.js'))) {
    const res = spawnSync(process.execPath, ['dist/scripts/topics.js'], { cwd: ROOT, env, encoding: 'utf8' });
    const lines = `${res.stdout}${res.stderr}`.trim().split('\n').filter(Boolean);
    for (const line of lines) process.stdout.write(format({ name: 'topics', color: 1 }, line));
    if (res.status !== 0) throw new Error(`creating topics failed (${res.status})`);
    return `topics ready (${env.KAFKA_PARTITIONS ?? 6} partitions)`;
  }
  const lib = await import(pathToFileURL(join(ROOT, 'dist/libs/common/src/index.js')).href);
  const kafka = lib.createKafka('wz-up', env.KAFKA_BROKERS, lib.createLogger('up', 'warn'));
  const partitions = Number(env.KAFKA_PARTITIONS ?? 6);
  const report = await lib.ensureTopics(kafka, lib.allTopicNames(), { partitions, replicationFactor: 1 });
  return `topics: ${report.created.length} created, ${report.grown.length} grown, ${report.unchanged.length} unchanged (${partitions} partitions)`;
}


function seedSpec(app) {
  const file = join(ROOT, 'apps', app.name, 'seed.json');
  if (!existsSync(file)) return null;
  const spec = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(spec.args) || !spec.args.every((a) => typeof a === 'string')) throw new Error(`${file}: "args" must be an array of strings`);
  return spec;
}

async function waitReady(app, url, isAlive) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${app.name} exited before it was ready`);
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(4000) });
      const body = await res.text();
      if (res.ok && JSON.parse(body).status === 'ready') return; // not `degraded`: the broker answers too
      last = `${res.status} ${body}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${app.name} not ready at ${url}/ready after ${READY_TIMEOUT_MS / 1000}s (last: ${last})`);
}

async function docsServed(url) {
  try {
    return (await fetch(`${url}/docs`, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Main

function box(lines) {
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const top = `┌${'─'.repeat(width)}┐`;
  const body = lines.map((l) => `│ ${l.padEnd(width - 2)} │`);
  return [top, ...body, `└${'─'.repeat(width)}┘`].join('\n');
}

async function main() {
  const flags = parseArgs(process.argv.slice(2));
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const apps = flags.only ? APPS.filter((a) => flags.only.includes(a.name)) : APPS;
  // What to stop on the way out, in this order: the apps (they flush the outbox and commit offsets), then Kafka, then PostgreSQL.
  const cleanups = { apps: null, kafka: null, db: null };
  let shuttingDown = null;
  let interrupted = false;

  const shutdown = async (reason, force = false) => {
    if (shuttingDown) return shuttingDown;
    shuttingDown = (async () => {
      say(`${reason}: stopping${force ? ' (forced)' : ''}...`);
      for (const fn of [cleanups.apps, cleanups.kafka, cleanups.db]) {
        if (!fn) continue;
        try {
          await fn(force);
        } catch (err) {
          say(paint(31, `while stopping: ${err.message}`));
        }
      }
      say('everything stopped.');
    })();
    return shuttingDown;
  };
  let signals = 0;
  let running = false; // start-up finished; before that, a signal is handled between steps (see checkInterrupted)
  let lastSignalAt = 0;
  const onSignal = (signal) => {
    // `npm run up` + Ctrl-C delivers SIGINT twice: from the terminal and forwarded by npm. Count it once.
    if (Date.now() - lastSignalAt < 1000) return;
    lastSignalAt = Date.now();
    interrupted = true;
    signals++;
    if (signals === 1) {
      if (running) void shutdown(`${signal} received`).then(() => process.exit(0));
      else say(`${signal} received: stopping after the current step...`);
    } else if (signals === 2) {
      say(paint(33, 'stopping already; press Ctrl-C once more to kill the apps at once'));
    } else {
      void shutdown('killing', true).then(() => process.exit(130));
      // A third signal also stops waiting for Kafka and PostgreSQL: both are daemons (`node scripts/kafka.mjs stop`, `node scripts/db.mjs stop`).
      if (signals > 3) process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal); // the terminal closed: still stop what we started
  // With the terminal gone, writing the log fails; stopping must go on regardless.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  const checkInterrupted = () => {
    if (interrupted) throw Object.assign(new Error('interrupted'), { interrupted: true });
  };

  try {
    // 1. dependencies and build
    if (!existsSync(join(ROOT, 'node_modules'))) {
      if (!flags.install) throw new Error('node_modules is missing and --no-install was given');
      say('node_modules missing: npm ci');
      run('npm', ['ci'], 'npm ci');
    }
    checkInterrupted();
    if (flags.build === 'always' || (flags.build === 'auto' && buildIsStale())) {
      say('building (npm run build)...');
      const t = Date.now();
      run('npm', ['run', '--silent', 'build'], 'npm run build');
      writeFileSync(BUILD_STAMP, new Date().toISOString() + '\n');
      say(`built in ${((Date.now() - t) / 1000).toFixed(1)}s`);
    } else if (flags.build === 'auto') {
      say('dist/ is up to date (--build forces a build)');
    }
    for (const app of apps) {
      if (!existsSync(join(ROOT, mainOf(app)))) throw new Error(`${mainOf(app)} is missing; run npm run build`);
    }
    const withWeb = flags.build !== 'never' ? buildWeb(flags.build === 'always') : existsSync(join(ROOT, 'apps/web/dist/index.html'));
    if (!withWeb) say(paint(33, 'web front end skipped: vite is not installed (dev dependencies) and apps/web/dist is missing'));
    checkInterrupted();

    const format = await makeFormatter();
    const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
    const host = env.HOST || '127.0.0.1';
    for (const app of apps) app.port = Number(env[app.portEnv] || app.port);
    for (const app of apps) {
      if (!(await isPortFree(app.port, host))) throw new Error(`port ${app.port} (${app.name}) is in use; stop what uses it or set ${app.portEnv}`);
    }
    const webPort = Number(env.WEB_PORT || 3000);
    if (withWeb && !(await isPortFree(webPort, host))) throw new Error(`port ${webPort} (web) is in use; stop what uses it or set WEB_PORT`);

    // 2. Kafka
    const kafkaScript = await import('./kafka.mjs');
    const kafkaLog = (msg) => process.stdout.write(`${paint('1', 'kafka'.padEnd(NAME_WIDTH))} │ ${msg}\n`);
    let kafkaWhere;
    if (env.KAFKA_BROKERS) {
      kafkaWhere = `${env.KAFKA_BROKERS} (KAFKA_BROKERS; not started by up)`;
      say(`using the Kafka broker(s) at ${env.KAFKA_BROKERS}`);
    } else {
      const port = Number(env.KAFKA_PORT || 9092);
      if (flags.tempKafka) delete process.env.KAFKA_DATA_DIR; // kafka.mjs would fall back to it
      const dataDir = flags.tempKafka ? undefined : env.KAFKA_DATA_DIR || join(kafkaScript.cacheRoot(), 'kafka-data', `broker-${port}`);
      const broker = await kafkaScript.startBroker({ port, dataDir, log: kafkaLog });
      env.KAFKA_BROKERS = broker.brokers;
      kafkaWhere = `${broker.brokers} (data ${broker.dataDir}${flags.tempKafka ? ', temporary' : ''})`;
      // A broker already running on our own data folder is one a previous `up` left behind (killed with -9,
      // say): adopt it and stop it on the way out. Any other running broker belongs to someone else.
      if (broker.alreadyRunning && broker.dataDir !== dataDir) {
        kafkaWhere += ' (was already running; left running on stop)';
      } else {
        cleanups.kafka = () => broker.stop();
      }
    }
    checkInterrupted();

    // 3. PostgreSQL
    const { ensureDatabase, redact } = await import('./db.mjs');
    const db = await ensureDatabase({ log: (msg) => process.stdout.write(`${paint('1', 'db'.padEnd(NAME_WIDTH))} │ ${msg}\n`) });
    env.DATABASE_URL = db.databaseUrl;
    if (db.started) cleanups.db = () => db.stop();
    const dbWhere = `${redact(db.databaseUrl)}${db.embedded ? ` (embedded${db.started ? '' : ', was already running; left running on stop'})` : ''}`;
    checkInterrupted();

    // 4. topics and migrations
    say(await createTopics(env, format));
    for (const app of apps) {
      checkInterrupted();
      const { code } = await runAppCommand(app, ['migrate'], env, format);
      if (code !== 0) throw new Error(`migrations of ${app.name} failed (${code})`);
    }
    checkInterrupted();

    // 5. the apps
    const maxRestarts = Number(env.WZ_UP_RESTARTS ?? 3);
    const supervisor = new Supervisor(env, format, maxRestarts);
    cleanups.apps = (force) => supervisor.stopAll(force);
    say(`starting ${apps.map((a) => a.name).join(', ')}...`);
    for (const app of apps) supervisor.start(app);
    const urlOf = (app) => `http://${host}:${app.port}`;
    await Promise.all(apps.map((app) => waitReady(app, urlOf(app), () => supervisor.isAlive(app.name) && !interrupted)));
    checkInterrupted();
    let web = null;
    if (withWeb) {
      const { startWebServer } = await import('../apps/web/server/serve.mjs');
      const portOf = (name) => Number(env[APPS.find((a) => a.name === name).portEnv] || APPS.find((a) => a.name === name).port);
      web = await startWebServer({ routerUrl: `http://${host}:${portOf('router')}`, appUrl: `http://${host}:${portOf('ingest-app')}`, port: webPort, host });
      cleanups.apps = async (force) => {
        await web.close();
        await supervisor.stopAll(force);
      };
    }

    // 6. sample data
    const seeded = [];
    if (flags.seed) {
      for (const app of apps) {
        const spec = seedSpec(app);
        if (!spec) continue;
        say(`loading sample data: ${app.name} ${spec.args.join(' ')}${spec.description ? ` (${spec.description})` : ''}`);
        const { code } = await runAppCommand(app, spec.args, env, format);
        if (code === 0) seeded.push(app.name);
        else say(paint(33, `sample data of ${app.name} failed (${code}); the platform runs without it`));
      }
    }
    checkInterrupted();

    // 7. where to look
    const docs = await Promise.all(apps.map((a) => docsServed(urlOf(a))));
    const lines = ['Wenzheng is running', ''];
    apps.forEach((app, i) => {
      lines.push(`${app.name.padEnd(NAME_WIDTH)}  ${urlOf(app).padEnd(22)}  /health  /ready  /metrics  ${docs[i] ? '/docs' : '(no /docs yet)'}`);
    });
    lines.push(`${''.padEnd(NAME_WIDTH)}  e.g. curl ${urlOf(apps.at(-1))}/ready`);
    if (web) lines.push('', `${'web'.padEnd(NAME_WIDTH)}  ${web.url}/  public portal      ${web.url}/console/  staff console`);
    lines.push('', `Kafka          ${kafkaWhere}`, `PostgreSQL     ${dbWhere}`);
    if (seeded.length) lines.push(`Sample data    ${seeded.join(', ')}`);
    lines.push('', 'Stop: Ctrl-C (apps first, then Kafka and an embedded PostgreSQL this run started)');
    process.stdout.write(`${box(lines)}\n`);
    running = true;
    if (interrupted) void shutdown('signal received').then(() => process.exit(0));
    return new Promise(() => {}); // runs until a signal
  } catch (err) {
    if (interrupted) {
      await shutdown('interrupted during start-up');
      return 130;
    }
    say(paint(31, `error: ${err.message}`));
    await shutdown('start-up failed');
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`up: ${process.env.DEBUG ? err.stack : err.message}\n`);
    process.exit(1);
  },
);
