#!/usr/bin/env node
// Local Apache Kafka (KRaft, no ZooKeeper, no Docker) for development, tests and CI.
//
// The broker jars come from Maven Central (scripts/kafka/pom.xml) and are
// cached outside the repo; brokers run as detached `java` processes whose
// pid and settings live in a small JSON state file, so one process can start
// a broker and another can stop it.
//
// CLI:  node scripts/kafka.mjs help
// API:  import { provisionKafka, startBroker, stopBroker, startCluster, ... } from './kafka.mjs'

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync, realpathSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Kafka version; keep in sync with `kafka.version` in scripts/kafka/pom.xml. */
export const KAFKA_VERSION = '3.9.1';

const SCRIPT_DIR = dirname(fileURLToPath(import.meta.url));
const POM_FILE = join(SCRIPT_DIR, 'kafka', 'pom.xml');
const LOG4J_FILE = join(SCRIPT_DIR, 'kafka', 'log4j.properties');
const MARKER_NAME = '.provisioned.json';
const TEMP_PREFIX = 'wz-kafka-';

const DEFAULT_PORT = 9092;
const DEFAULT_CLUSTER_PORT = 19092;
const CLUSTER_SIZE = 3;
const CLUSTER_CONTROLLER_OFFSET = 100;
const DEFAULT_HEAP = '-Xms256m -Xmx768m';
const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const LOG_TAIL_LINES = 40;

// Same GC settings as Kafka's own kafka-run-class.sh.
const JVM_OPTS = [
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];

// ---------------------------------------------------------------------------
// Paths

/** Root of the per-user cache: $WZ_CACHE_DIR, else $XDG_CACHE_HOME/wenzheng, else ~/.cache/wenzheng. */
export function cacheRoot() {
  if (process.env.WZ_CACHE_DIR) return resolve(process.env.WZ_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return join(resolve(xdg), 'wenzheng');
}

function kafkaHome() {
  return join(cacheRoot(), `kafka-${KAFKA_VERSION}`);
}

/** Folder holding the Kafka jars once provisioned. */
export function libsDir() {
  return join(kafkaHome(), 'libs');
}

function defaultStateDir(name) {
  return join(cacheRoot(), 'run', name);
}

// ---------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function defaultLog(msg) {
  process.stderr.write(`[kafka] ${msg}\n`);
}

function envInt(name, fallback) {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : parsePort(raw, name);
}

function parsePort(value, what) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${what} must be a port number, got "${value}"`);
  return n;
}

async function readJson(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

async function writeJsonAtomic(file, value) {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, file);
}

/** True if pid is a live (non-zombie) process. */
function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    // A child we spawned that died but was not reaped yet still answers kill(0).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** True if pid is alive and (where /proc exists) really is a Kafka broker, not a reused pid. */
function isKafkaProcess(pid) {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return true;
  }
}

async function tailFile(file, lines = LOG_TAIL_LINES) {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

/** Resolves true if nothing listens on 127.0.0.1:port. */
function isPortFree(port) {
  return new Promise((done) => {
    const server = net.createServer();
    server.once('error', () => done(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => done(true)));
  });
}

/**
 * Runs fn while holding an exclusive lock file. A lock whose owner died is
 * taken over, so a crashed run never blocks the next one.
 */
async function withLock(lockFile, fn, { timeoutMs = 120_000, log = defaultLog, what = 'lock' } = {}) {
  await mkdir(dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = 0;
      try {
        owner = Number(readFileSync(lockFile, 'utf8'));
      } catch {
        continue; // released between our open and read
      }
      if (owner && !isAlive(owner)) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} held by pid ${owner} (${lockFile})`);
      if (!told) log(`waiting for ${what} held by pid ${owner}...`);
      told = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

// ---------------------------------------------------------------------------
// Java and Maven

function javaBin() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

let javaChecked = false;

/** Throws a readable error unless `java` (>= 11) can be run. */
export function checkJava() {
  if (javaChecked) return;
  const bin = javaBin();
  const res = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  if (res.error) {
    const where = process.env.JAVA_HOME ? `JAVA_HOME=${process.env.JAVA_HOME} (${bin})` : '`java` on PATH';
    throw new Error(`cannot run ${where}: ${res.error.message}. Kafka needs a JDK/JRE 11 or newer (e.g. apt-get install openjdk-17-jre-headless), or set JAVA_HOME.`);
  }
  const out = `${res.stderr}${res.stdout}`;
  const m = out.match(/version "(\d+)(?:\.(\d+))?/);
  if (!m) throw new Error(`cannot tell the Java version from \`${bin} -version\`:\n${out}`);
  const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
  if (major < 11) throw new Error(`Kafka ${KAFKA_VERSION} needs Java 11 or newer; ${bin} is Java ${major}. Set JAVA_HOME to a newer JDK.`);
  javaChecked = true;
}

function runToFile(cmd, args, logFile, options = {}) {
  return new Promise((done, fail) => {
    const fd = openSync(logFile, 'w');
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.once('error', fail);
    child.once('exit', (code, signal) => done(code ?? signal));
  });
}

// ---------------------------------------------------------------------------
// Provisioning

/** True if the Kafka jars are in the cache. */
export function isProvisioned() {
  return existsSync(join(libsDir(), MARKER_NAME));
}

/**
 * Downloads Kafka's jars from Maven Central (via `mvn dependency:copy-dependencies`)
 * into the cache, once. Does nothing (not even start mvn) when they are already there.
 * Safe to run concurrently: a lock keeps a second run waiting, and the jars are put
 * in place with one atomic rename.
 * @param {{log?: (msg: string) => void}} [opts]
 * @returns {Promise<string>} the libs folder
 */
export async function provisionKafka({ log = defaultLog } = {}) {
  const libs = libsDir();
  if (isProvisioned()) return libs;
  const home = kafkaHome();
  await mkdir(home, { recursive: true });
  await withLock(join(home, 'provision.lock'), () => downloadJars(home, libs, log), {
    timeoutMs: 20 * 60_000,
    log,
    what: 'Kafka provisioning',
  });
  return libs;
}

async function downloadJars(home, libs, log) {
  if (isProvisioned()) return; // another process finished while we waited for the lock
  const started = Date.now();
  log(`provisioning Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs}`);
  const tmp = await mkdtemp(join(home, 'libs.tmp-'));
  const logFile = join(home, 'provision.log');
  try {
    const args = ['-B', '-q', '-f', POM_FILE, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'];
    let result;
    try {
      result = await runToFile('mvn', args, logFile, { cwd: tmp });
    } catch (err) {
      if (err.code === 'ENOENT') throw new Error('`mvn` not found on PATH: install Apache Maven 3.8+ (e.g. apt-get install maven) to provision Kafka.');
      throw err;
    }
    if (result !== 0) {
      throw new Error(`mvn failed (${result}) while fetching Kafka jars:\n${await readFile(logFile, 'utf8')}`);
    }
    const jars = (await readdir(tmp)).filter((f) => f.endsWith('.jar'));
    if (!jars.some((f) => f.startsWith('kafka_2.13-'))) throw new Error(`mvn fetched no Kafka jar into ${tmp}; see ${logFile}`);
    await writeFile(join(tmp, MARKER_NAME), JSON.stringify({ version: KAFKA_VERSION, jars: jars.length, at: new Date().toISOString() }) + '\n');
    await rm(libs, { recursive: true, force: true }); // a half-made folder from an older script, if any
    await rename(tmp, libs);
    log(`provisioned ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Broker configuration and processes

function classpath() {
  return `${libsDir()}/*`;
}

/** A fresh Kafka cluster id: 16 random bytes, URL-safe base64, like `StorageTool random-uuid` (saves a JVM start). */
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka avoids ids that look like CLI flags
  }
}

/**
 * server.properties for one combined broker+controller node.
 * Flush policy (log.flush.*) is left at Kafka's defaults on purpose: the OS page cache and replication give durability.
 */
function serverProperties({ nodeId, port, controllerPort, voters, dataDir, replication }) {
  const rf = replication;
  const minIsr = rf > 1 ? 2 : 1;
  const lines = [
    '# Written by scripts/kafka.mjs; rewritten on every start.',
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dataDir, 'kraft-logs')}`,
    'num.partitions=6',
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    `offsets.topic.replication.factor=${rf}`,
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${minIsr}`,
  ];
  if (rf > 1) lines.push(`default.replication.factor=${rf}`, `min.insync.replicas=${minIsr}`);
  return lines.join('\n') + '\n';
}

function metaPropertiesPath(dataDir) {
  return join(dataDir, 'kraft-logs', 'meta.properties');
}

/** Writes server.properties and formats storage unless it already holds a formatted log (restart keeps data). */
async function prepareNode(node, { voters, replication, clusterId, log }) {
  await mkdir(node.dataDir, { recursive: true });
  const propsFile = join(node.dataDir, 'server.properties');
  await writeFile(propsFile, serverProperties({ ...node, voters, replication }));
  if (existsSync(metaPropertiesPath(node.dataDir))) return;
  const formatLog = join(node.dataDir, 'format.log');
  const args = ['-Xmx256m', `-Dlog4j.configuration=${pathToFileURL(LOG4J_FILE).href}`, '-cp', classpath(),
    'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile];
  const result = await runToFile(javaBin(), args, formatLog, { cwd: node.dataDir });
  if (result !== 0) throw new Error(`formatting Kafka storage in ${node.dataDir} failed (${result}):\n${await tailFile(formatLog)}`);
  log(`formatted storage of node ${node.nodeId} in ${node.dataDir}`);
}

function brokerLogPath(dataDir) {
  return join(dataDir, 'broker.log');
}

/** Starts `java kafka.Kafka` detached (own process group, survives this process). Returns its pid. */
function spawnBroker(dataDir, heap) {
  const logFd = openSync(brokerLogPath(dataDir), 'a');
  const args = [
    ...heap.split(/\s+/).filter(Boolean),
    ...JVM_OPTS,
    `-Dlog4j.configuration=${pathToFileURL(LOG4J_FILE).href}`,
    `-Dkafka.logs.dir=${dataDir}`,
    '-cp', classpath(),
    'kafka.Kafka', join(dataDir, 'server.properties'),
  ];
  const child = spawn(javaBin(), args, { cwd: dataDir, detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.on('error', () => {}); // surfaced as "process exited" by the readiness wait
  child.unref();
  return child.pid;
}

/**
 * SIGTERM (Kafka then shuts down cleanly), SIGKILL after STOP_TIMEOUT_MS.
 * Resolves once the process is gone.
 */
async function killBroker(pid, { log = defaultLog, label = `pid ${pid}`, signal = 'SIGTERM' } = {}) {
  if (!isKafkaProcess(pid)) return false;
  process.kill(pid, signal);
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    log(`${label} did not stop within ${STOP_TIMEOUT_MS / 1000}s; sending SIGKILL`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    while (isAlive(pid)) await sleep(50);
  }
  return true;
}

/**
 * Removes a temp data folder this script made. The name check guards against a hand-edited
 * state file; the parent is not checked because TMPDIR may differ between start and stop.
 */
async function removeTempDir(dir) {
  if (!dir) return;
  if (!basename(dir).startsWith(TEMP_PREFIX)) throw new Error(`refusing to delete ${dir}: not a temporary Kafka folder made by this script`);
  await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// Talking to brokers

let kafkajs;
async function loadKafkajs() {
  kafkajs ??= await import('kafkajs');
  return kafkajs;
}

/** One describeCluster() call against exactly one broker; null if it does not answer. */
async function describeCluster(address, timeoutMs = 3000) {
  const { Kafka, logLevel } = await loadKafkajs();
  const kafka = new Kafka({
    clientId: 'wz-kafka-script',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await admin.describeCluster();
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Polls until every node answers describeCluster() seeing `expectBrokers` brokers.
 * Throws (with the tail of the broker log) if a node's process dies or the time runs out.
 */
async function waitUntilReady(nodes, { expectBrokers, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(nodes);
  let last = null;
  for (;;) {
    for (const node of nodes) {
      if (!isAlive(node.pid)) throw await startFailure(node, `exited during startup`);
    }
    for (const node of [...pending]) {
      last = await describeCluster(`127.0.0.1:${node.port}`);
      if (last && last.brokers.length >= expectBrokers) pending.delete(node);
    }
    if (pending.size === 0) return last;
    if (Date.now() > deadline) {
      const node = [...pending][0];
      const seen = last ? ` (sees ${last.brokers.length}/${expectBrokers} brokers)` : ' (not answering)';
      throw await startFailure(node, `not ready after ${timeoutMs / 1000}s${seen}`);
    }
    await sleep(300);
  }
}

async function startFailure(node, what) {
  const logFile = brokerLogPath(node.dataDir);
  const err = new Error(`Kafka node ${node.nodeId} on port ${node.port} (pid ${node.pid}) ${what}. Last ${LOG_TAIL_LINES} lines of ${logFile}:\n${await tailFile(logFile)}`);
  err.node = node;
  return err;
}

async function ensurePortsFree(ports) {
  for (const port of ports) {
    if (!(await isPortFree(port))) {
      throw new Error(`port ${port} on 127.0.0.1 is already in use by a process this script does not know about; pick other ports (KAFKA_PORT / KAFKA_CONTROLLER_PORT / KAFKA_CLUSTER_PORT)`);
    }
  }
}

// ---------------------------------------------------------------------------
// Single broker

/**
 * @typedef {object} BrokerOptions
 * @property {number} [port]            broker port; default $KAFKA_PORT or 9092
 * @property {number} [controllerPort]  KRaft controller port; default $KAFKA_CONTROLLER_PORT or port+1
 * @property {string} [dataDir]         data folder, kept on stop; default $KAFKA_DATA_DIR, else a new temp folder removed on stop
 * @property {string} [heap]            JVM heap flags; default $KAFKA_HEAP or "-Xms256m -Xmx768m"
 * @property {string} [stateDir]        where the state file goes; default $KAFKA_STATE_DIR or <cache>/run/kafka-<port>
 * @property {number} [timeoutMs]       how long to wait for the broker to answer; default 60000
 * @property {(msg: string) => void} [log]  progress messages; default: stderr
 */

/**
 * @typedef {object} BrokerHandle
 * @property {string} brokers    "127.0.0.1:<port>", for kafkajs `brokers: handle.brokers.split(',')`
 * @property {number} pid
 * @property {number} port
 * @property {number} controllerPort
 * @property {string} dataDir
 * @property {boolean} alreadyRunning  true if start found the broker already up and did nothing
 * @property {() => Promise<void>} stop
 */

function resolveBrokerOptions(opts = {}) {
  const port = opts.port != null ? parsePort(opts.port, 'port') : envInt('KAFKA_PORT', DEFAULT_PORT);
  const controllerPort = opts.controllerPort != null ? parsePort(opts.controllerPort, 'controllerPort') : envInt('KAFKA_CONTROLLER_PORT', port + 1);
  if (controllerPort === port) throw new Error('the controller port must differ from the broker port');
  const stateDir = resolve(opts.stateDir ?? (process.env.KAFKA_STATE_DIR || defaultStateDir(`kafka-${port}`)));
  return {
    port,
    controllerPort,
    stateDir,
    stateFile: join(stateDir, `broker-${port}.json`),
    lockFile: join(stateDir, `broker-${port}.lock`),
    dataDir: opts.dataDir ?? (process.env.KAFKA_DATA_DIR || undefined),
    heap: opts.heap ?? (process.env.KAFKA_HEAP || DEFAULT_HEAP),
    timeoutMs: opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    log: opts.log ?? defaultLog,
  };
}

function brokerHandle(state, o, alreadyRunning) {
  return {
    brokers: `127.0.0.1:${state.port}`,
    pid: state.pid,
    port: state.port,
    controllerPort: state.controllerPort,
    dataDir: state.dataDir,
    alreadyRunning,
    stop: () => stopBroker({ port: o.port, stateDir: o.stateDir, log: o.log }),
  };
}

/**
 * Starts a single-node KRaft broker (provisioning the jars first if needed) and waits until it answers.
 * Idempotent: if the broker recorded in the state file is already running on the port, returns it.
 * @param {BrokerOptions} [opts]
 * @returns {Promise<BrokerHandle>}
 */
export async function startBroker(opts = {}) {
  const o = resolveBrokerOptions(opts);
  checkJava();
  await provisionKafka({ log: o.log });
  return withLock(o.lockFile, () => startBrokerLocked(o), { log: o.log, what: `the Kafka state lock for port ${o.port}` });
}

async function startBrokerLocked(o) {
  const existing = await readJson(o.stateFile);
  if (existing && existing.port === o.port && isKafkaProcess(existing.pid)) {
    const node = { nodeId: 1, port: existing.port, pid: existing.pid, dataDir: existing.dataDir };
    await waitUntilReady([node], { expectBrokers: 1, timeoutMs: o.timeoutMs });
    o.log(`broker already running on 127.0.0.1:${o.port} (pid ${existing.pid})`);
    return brokerHandle(existing, o, true);
  }
  if (existing) await clearStaleBroker(existing, o);

  await ensurePortsFree([o.port, o.controllerPort]);
  const tempDataDir = !o.dataDir;
  const dataDir = tempDataDir ? await mkdtemp(join(os.tmpdir(), `${TEMP_PREFIX}${o.port}-`)) : resolve(o.dataDir);
  const node = { nodeId: 1, port: o.port, controllerPort: o.controllerPort, dataDir };
  const started = Date.now();
  await prepareNode(node, {
    voters: `1@127.0.0.1:${o.controllerPort}`,
    replication: 1,
    clusterId: newClusterId(),
    log: o.log,
  });
  node.pid = spawnBroker(dataDir, o.heap);
  const state = { pid: node.pid, port: o.port, controllerPort: o.controllerPort, dataDir, tempDataDir, startedAt: new Date().toISOString() };
  await writeJsonAtomic(o.stateFile, state);
  o.log(`starting broker on 127.0.0.1:${o.port} (pid ${node.pid}, data ${dataDir})`);
  try {
    await waitUntilReady([node], { expectBrokers: 1, timeoutMs: o.timeoutMs });
  } catch (err) {
    await killBroker(node.pid, { log: o.log });
    await rm(o.stateFile, { force: true });
    err.message += `\n(data folder kept for inspection: ${dataDir})`;
    throw err;
  }
  o.log(`broker ready on 127.0.0.1:${o.port} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return brokerHandle(state, o, false);
}

async function clearStaleBroker(state, o) {
  o.log(`removing stale state of a broker that is no longer running (pid ${state.pid})`);
  if (state.tempDataDir) await removeTempDir(state.dataDir);
  await rm(o.stateFile, { force: true });
}

/**
 * Stops the broker recorded for the port: SIGTERM, SIGKILL after 30 s; removes its
 * data folder if it was temporary, and the state file. Does nothing if none is recorded.
 * @param {Pick<BrokerOptions, 'port' | 'stateDir' | 'log'>} [opts]
 * @returns {Promise<boolean>} whether a running broker was stopped
 */
export async function stopBroker(opts = {}) {
  const o = resolveBrokerOptions(opts);
  return withLock(o.lockFile, async () => {
    const state = await readJson(o.stateFile);
    if (!state) {
      o.log(`no broker recorded for port ${o.port} (${o.stateFile})`);
      return false;
    }
    const started = Date.now();
    const stopped = await killBroker(state.pid, { log: o.log, label: `broker on port ${state.port}` });
    if (state.tempDataDir) await removeTempDir(state.dataDir);
    await rm(o.stateFile, { force: true });
    o.log(stopped ? `broker on port ${state.port} stopped in ${((Date.now() - started) / 1000).toFixed(1)}s` : `broker on port ${state.port} was not running; cleaned up its state`);
    return stopped;
  }, { log: o.log, what: `the Kafka state lock for port ${o.port}` });
}

/**
 * Reports on the broker recorded for the port.
 * @param {Pick<BrokerOptions, 'port' | 'stateDir'>} [opts]
 * @returns {Promise<{port: number, recorded: boolean, running: boolean, answering: boolean, pid?: number, dataDir?: string, clusterId?: string}>}
 */
export async function brokerStatus(opts = {}) {
  const o = resolveBrokerOptions({ ...opts, log: () => {} });
  const state = await readJson(o.stateFile);
  const running = !!state && isKafkaProcess(state.pid);
  const info = await describeCluster(`127.0.0.1:${o.port}`);
  return { port: o.port, recorded: !!state, running, answering: !!info, pid: state?.pid, dataDir: state?.dataDir, clusterId: info?.clusterId };
}

// ---------------------------------------------------------------------------
// Three-node cluster

/**
 * @typedef {object} ClusterOptions
 * @property {number} [basePort]   broker ports basePort..basePort+2, controllers basePort+100..+102; default $KAFKA_CLUSTER_PORT or 19092
 * @property {string} [dataDir]    parent of node-1..node-3, kept on stop; default a new temp folder removed on stop
 * @property {string} [heap]       JVM heap flags per node; default $KAFKA_HEAP or "-Xms256m -Xmx768m"
 * @property {string} [stateDir]   default $KAFKA_STATE_DIR or <cache>/run/kafka-cluster-<basePort>
 * @property {number} [timeoutMs]  default 60000
 * @property {(msg: string) => void} [log]
 */

/**
 * @typedef {object} ClusterHandle
 * @property {string} brokers  comma-separated "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
 * @property {{nodeId: number, port: number, controllerPort: number, dataDir: string, pid: number|null}[]} nodes
 * @property {string} dataDir  parent folder of the nodes' data
 * @property {() => Promise<void>} stop
 * @property {(n: number, signal?: 'SIGTERM' | 'SIGKILL') => Promise<void>} stopNode   stop node n (1..3), keeping its data;
 *   SIGKILL: at once, without a clean shutdown
 * @property {(n: number | number[]) => Promise<void>} startNode  restart node n (or several nodes together: with two of
 *   three down, one alone has no quorum to join) on its data and wait until the cluster sees 3 brokers
 */

function resolveClusterOptions(opts = {}) {
  const basePort = opts.basePort != null ? parsePort(opts.basePort, 'basePort') : envInt('KAFKA_CLUSTER_PORT', DEFAULT_CLUSTER_PORT);
  parsePort(basePort + CLUSTER_CONTROLLER_OFFSET + CLUSTER_SIZE - 1, 'highest cluster port');
  const stateDir = resolve(opts.stateDir ?? (process.env.KAFKA_STATE_DIR || defaultStateDir(`kafka-cluster-${basePort}`)));
  return {
    basePort,
    stateDir,
    stateFile: join(stateDir, `cluster-${basePort}.json`),
    lockFile: join(stateDir, `cluster-${basePort}.lock`),
    dataDir: opts.dataDir,
    heap: opts.heap ?? (process.env.KAFKA_HEAP || DEFAULT_HEAP),
    timeoutMs: opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    log: opts.log ?? defaultLog,
  };
}

function clusterBrokers(state) {
  return state.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
}

function clusterVoters(state) {
  return state.nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
}

function withClusterLock(o, fn) {
  return withLock(o.lockFile, fn, { log: o.log, what: `the Kafka cluster lock for base port ${o.basePort}`, timeoutMs: 5 * 60_000 });
}

function clusterHandle(state, o) {
  const same = { basePort: o.basePort, stateDir: o.stateDir, log: o.log, heap: o.heap, timeoutMs: o.timeoutMs };
  return {
    brokers: clusterBrokers(state),
    nodes: state.nodes,
    dataDir: state.dataDir,
    stop: () => stopCluster(same),
    stopNode: (n, signal) => stopClusterNode(n, { ...same, signal }),
    startNode: (n) => startClusterNode(n, same),
  };
}

function clusterLayout(basePort, dataDir) {
  return Array.from({ length: CLUSTER_SIZE }, (_, i) => ({
    nodeId: i + 1,
    port: basePort + i,
    controllerPort: basePort + CLUSTER_CONTROLLER_OFFSET + i,
    dataDir: dataDir && join(dataDir, `node-${i + 1}`),
    pid: null,
  }));
}

async function newClusterState(o) {
  const tempDataDir = !o.dataDir;
  const dataDir = tempDataDir ? await mkdtemp(join(os.tmpdir(), `${TEMP_PREFIX}cluster-${o.basePort}-`)) : resolve(o.dataDir);
  return { basePort: o.basePort, clusterId: newClusterId(), dataDir, tempDataDir, nodes: clusterLayout(o.basePort, dataDir) };
}

/**
 * Formats (first time only) and launches the given nodes, then waits until each node answers
 * and sees all 3 brokers. On failure the nodes it launched are killed again.
 */
async function launchNodes(state, nodes, o) {
  const started = Date.now();
  await ensurePortsFree(nodes.flatMap((n) => [n.port, n.controllerPort]));
  const prep = { voters: clusterVoters(state), replication: CLUSTER_SIZE, clusterId: state.clusterId, log: o.log };
  await Promise.all(nodes.map((n) => prepareNode(n, prep)));
  for (const n of nodes) n.pid = spawnBroker(n.dataDir, o.heap);
  await writeJsonAtomic(o.stateFile, state);
  o.log(`starting node(s) ${nodes.map((n) => `${n.nodeId} (port ${n.port}, pid ${n.pid})`).join(', ')}`);
  try {
    const running = state.nodes.filter((n) => isKafkaProcess(n.pid));
    await waitUntilReady(running, { expectBrokers: CLUSTER_SIZE, timeoutMs: o.timeoutMs });
  } catch (err) {
    await Promise.all(nodes.map((n) => killBroker(n.pid, { log: o.log })));
    for (const n of nodes) n.pid = null;
    await writeJsonAtomic(o.stateFile, state);
    err.message += `\n(data kept for inspection in ${state.dataDir}; \`cluster stop\` removes it if temporary)`;
    throw err;
  }
  o.log(`cluster ready (${CLUSTER_SIZE} brokers) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/**
 * Starts a three-node KRaft cluster on loopback (each node broker+controller) and waits
 * until every node answers and sees 3 brokers. Idempotent: nodes already running are
 * left alone, stopped ones are restarted on their data.
 * @param {ClusterOptions} [opts]
 * @returns {Promise<ClusterHandle>}
 */
export async function startCluster(opts = {}) {
  const o = resolveClusterOptions(opts);
  checkJava();
  await provisionKafka({ log: o.log });
  return withClusterLock(o, async () => {
    let state = await readJson(o.stateFile);
    if (state && !state.nodes.some((n) => isKafkaProcess(n.pid))) {
      o.log('removing stale state of a cluster that is no longer running');
      if (state.tempDataDir) await removeTempDir(state.dataDir);
      await rm(o.stateFile, { force: true });
      state = null;
    }
    state ??= await newClusterState(o);
    const toStart = state.nodes.filter((n) => !isKafkaProcess(n.pid));
    if (toStart.length === 0) {
      await waitUntilReady(state.nodes, { expectBrokers: CLUSTER_SIZE, timeoutMs: o.timeoutMs });
      o.log(`cluster already running on ${clusterBrokers(state)}`);
    } else {
      await launchNodes(state, toStart, o);
    }
    return clusterHandle(state, o);
  });
}

/**
 * Stops every node of the cluster (all at once, so none waits on a quorum that is leaving),
 * removes its data if temporary, and its state file.
 * @param {Pick<ClusterOptions, 'basePort' | 'stateDir' | 'log'>} [opts]
 * @returns {Promise<boolean>} whether a cluster was recorded
 */
export async function stopCluster(opts = {}) {
  const o = resolveClusterOptions(opts);
  return withClusterLock(o, async () => {
    const state = await readJson(o.stateFile);
    if (!state) {
      o.log(`no cluster recorded for base port ${o.basePort} (${o.stateFile})`);
      return false;
    }
    const started = Date.now();
    await Promise.all(state.nodes.map((n) => killBroker(n.pid, { log: o.log, label: `node ${n.nodeId}` })));
    if (state.tempDataDir) await removeTempDir(state.dataDir);
    await rm(o.stateFile, { force: true });
    o.log(`cluster stopped in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return true;
  });
}

async function loadRunningCluster(o) {
  const state = await readJson(o.stateFile);
  if (!state) throw new Error(`no cluster recorded for base port ${o.basePort}; run \`cluster start\` first`);
  return state;
}

function clusterNode(state, n) {
  const node = state.nodes.find((x) => x.nodeId === Number(n));
  if (!node) throw new Error(`no node ${n}: nodes are ${state.nodes.map((x) => x.nodeId).join(', ')}`);
  return node;
}

/**
 * Stops one node of the running cluster (SIGTERM, clean shutdown; or `opts.signal` 'SIGKILL'), keeping its data folder.
 * @param {number} n node id, 1..3
 * @param {Pick<ClusterOptions, 'basePort' | 'stateDir' | 'log'> & {signal?: 'SIGTERM' | 'SIGKILL'}} [opts]
 */
export async function stopClusterNode(n, opts = {}) {
  const o = resolveClusterOptions(opts);
  await withClusterLock(o, async () => {
    const state = await loadRunningCluster(o);
    const node = clusterNode(state, n);
    const started = Date.now();
    const stopped = await killBroker(node.pid, { log: o.log, label: `node ${node.nodeId}`, signal: opts.signal });
    node.pid = null;
    await writeJsonAtomic(o.stateFile, state);
    o.log(stopped ? `node ${node.nodeId} stopped in ${((Date.now() - started) / 1000).toFixed(1)}s` : `node ${node.nodeId} was not running`);
  });
}

/**
 * Starts stopped nodes of the cluster on their existing data (several at once when a quorum needs them together), and
 * waits until all nodes see 3 brokers.
 * @param {number | number[]} n node id(s), 1..3
 * @param {Omit<ClusterOptions, 'dataDir'>} [opts]
 */
export async function startClusterNode(n, opts = {}) {
  const o = resolveClusterOptions(opts);
  checkJava();
  await withClusterLock(o, async () => {
    const state = await loadRunningCluster(o);
    const nodes = [n].flat().map((id) => clusterNode(state, id));
    for (const node of nodes.filter((x) => isKafkaProcess(x.pid))) o.log(`node ${node.nodeId} is already running (pid ${node.pid})`);
    const stopped = nodes.filter((x) => !isKafkaProcess(x.pid));
    if (stopped.length > 0) await launchNodes(state, stopped, o);
  });
}

/**
 * Reports on each node of the cluster.
 * @param {Pick<ClusterOptions, 'basePort' | 'stateDir'>} [opts]
 * @returns {Promise<{basePort: number, recorded: boolean, dataDir?: string, nodes: {nodeId: number, port: number, pid: number|null, running: boolean, answering: boolean, brokersSeen: number}[]}>}
 */
export async function clusterStatus(opts = {}) {
  const o = resolveClusterOptions({ ...opts, log: () => {} });
  const state = await readJson(o.stateFile);
  const nodes = state?.nodes ?? clusterLayout(o.basePort, null);
  const report = await Promise.all(nodes.map(async (n) => {
    const info = await describeCluster(`127.0.0.1:${n.port}`);
    return { nodeId: n.nodeId, port: n.port, pid: n.pid ?? null, running: !!state && isKafkaProcess(n.pid), answering: !!info, brokersSeen: info?.brokers.length ?? 0 };
  }));
  return { basePort: o.basePort, recorded: !!state, dataDir: state?.dataDir, nodes: report };
}

// ---------------------------------------------------------------------------
// CLI

const USAGE = `Local Apache Kafka ${KAFKA_VERSION} (KRaft, no Docker) for development, tests and CI.

Usage: node scripts/kafka.mjs <command> [flags]

Commands:
  provision                 fetch the Kafka jars from Maven Central into the cache (once)
  start                     start a single broker and wait until it answers
  stop                      stop it (and delete its data if it was a temp folder)
  status                    is a broker running on the port and answering? (exit 0 if so)
  cluster start             start a 3-node cluster (brokers on base..base+2, controllers base+100..base+102)
  cluster stop              stop the cluster and delete its temp data
  cluster status            state of each node (exit 0 if all answer and see 3 brokers)
  cluster stop-node N       stop node N (1..3) of the running cluster, keeping its data
  cluster start-node N      restart node N on its data
  help                      this message

Flags (each also settable by the environment variable shown):
  --port N                  KAFKA_PORT            broker port (default ${DEFAULT_PORT})
  --controller-port N       KAFKA_CONTROLLER_PORT controller port (default port+1)
  --data-dir DIR            KAFKA_DATA_DIR        data folder, kept on stop (default: new temp folder, deleted on stop)
  --heap "FLAGS"            KAFKA_HEAP            JVM heap flags (default "${DEFAULT_HEAP}")
  --state-dir DIR           KAFKA_STATE_DIR       where the state file goes (default <cache>/run/kafka-<port>)
  --base-port N             KAFKA_CLUSTER_PORT    cluster base port (default ${DEFAULT_CLUSTER_PORT})
  --timeout SECONDS                               how long start waits for brokers (default ${DEFAULT_START_TIMEOUT_MS / 1000})

Cache: WZ_CACHE_DIR, else $XDG_CACHE_HOME/wenzheng, else ~/.cache/wenzheng (now ${cacheRoot()}).
Java: $JAVA_HOME/bin/java if JAVA_HOME is set, else java on PATH (11+). Provisioning needs mvn on PATH.

On a successful start, stdout gets one line for shells, e.g.
  eval "$(node scripts/kafka.mjs start)"   # sets KAFKA_BROKERS=127.0.0.1:${DEFAULT_PORT}
`;

const FLAG_NAMES = {
  '--port': 'port',
  '--controller-port': 'controllerPort',
  '--data-dir': 'dataDir',
  '--heap': 'heap',
  '--state-dir': 'stateDir',
  '--base-port': 'basePort',
  '--timeout': 'timeout',
};

function parseArgs(argv) {
  const positional = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--help') {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.split(/=(.*)/s, 2);
    const key = FLAG_NAMES[name];
    if (!key) throw new Error(`unknown flag ${name}\n\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    flags[key] = value;
  }
  if (flags.timeout !== undefined) {
    const seconds = Number(flags.timeout);
    if (!(seconds > 0)) throw new Error(`--timeout must be a number of seconds, got "${flags.timeout}"`);
    flags.timeoutMs = seconds * 1000;
    delete flags.timeout;
  }
  return { positional, flags };
}

async function cliStatus(flags) {
  const s = await brokerStatus(flags);
  const where = `127.0.0.1:${s.port}`;
  if (s.running && s.answering) console.log(`running: broker on ${where} (pid ${s.pid}, cluster ${s.clusterId}, data ${s.dataDir})`);
  else if (s.running) console.log(`starting or unhealthy: broker process ${s.pid} runs but ${where} does not answer`);
  else if (s.answering) console.log(`something answers on ${where}, but not a broker started by this script`);
  else console.log(`not running: no broker on ${where}${s.recorded ? ' (stale state file; `stop` clears it)' : ''}`);
  return s.running && s.answering ? 0 : 1;
}

async function cliClusterStatus(flags) {
  const s = await clusterStatus(flags);
  if (!s.recorded && !s.nodes.some((n) => n.answering)) {
    console.log(`not running: no cluster on base port ${s.basePort}`);
    return 1;
  }
  for (const n of s.nodes) {
    const what = n.running ? (n.answering ? `running, answering, sees ${n.brokersSeen} brokers` : 'running, not answering') : n.answering ? 'answering but not started by this script' : 'stopped';
    console.log(`node ${n.nodeId}: 127.0.0.1:${n.port} ${n.pid ? `pid ${n.pid} ` : ''}${what}`);
  }
  if (s.dataDir) console.log(`data: ${s.dataDir}`);
  return s.nodes.every((n) => n.running && n.answering && n.brokersSeen === CLUSTER_SIZE) ? 0 : 1;
}

async function cliCluster([sub, n], flags) {
  const needNode = () => {
    if (!n || !/^\d+$/.test(n)) throw new Error(`cluster ${sub} needs a node number (1..${CLUSTER_SIZE})`);
    return Number(n);
  };
  switch (sub) {
    case 'start': {
      const handle = await startCluster(flags);
      console.log(`KAFKA_BROKERS=${handle.brokers}`);
      return 0;
    }
    case 'stop':
      await stopCluster(flags);
      return 0;
    case 'status':
      return cliClusterStatus(flags);
    case 'stop-node':
      await stopClusterNode(needNode(), flags);
      return 0;
    case 'start-node':
      await startClusterNode(needNode(), flags);
      return 0;
    default:
      throw new Error(`unknown cluster command "${sub ?? ''}"\n\n${USAGE}`);
  }
}

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(argv = process.argv.slice(2)) {
  const { positional, flags } = parseArgs(argv);
  const [command, ...rest] = positional;
  switch (command) {
    case 'provision': {
      checkJava();
      const libs = await provisionKafka();
      defaultLog(`Kafka ${KAFKA_VERSION} jars ready in ${libs}`);
      return 0;
    }
    case 'start': {
      const handle = await startBroker(flags);
      console.log(`KAFKA_BROKERS=${handle.brokers}`);
      return 0;
    }
    case 'stop':
      await stopBroker(flags);
      return 0;
    case 'status':
      return cliStatus(flags);
    case 'cluster':
      return cliCluster(rest, flags);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
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
      process.stderr.write(`[kafka] error: ${err.message}\n`);
      process.exit(1);
    },
  );
}
