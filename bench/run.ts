// `npm run bench [-- name ...]`: runs the benchmarks compiled to dist/bench/*.bench.js against a real broker and
// database, prints one table and saves bench/results/<timestamp>.{json,md} and bench/results/latest.md.
//
// Broker: KAFKA_BROKERS if set, else a broker from scripts/kafka.mjs on WZ_BENCH_KAFKA_PORT (default 29500) with
// temporary data, stopped at the end. Database: BENCH_DATABASE_URL if set, else the database `wenzheng_bench` on
// the server scripts/db.mjs finds (DATABASE_URL's server, the machine's, or the embedded one). The app schemas
// and every `bench_*` schema are dropped first, so each run starts from the same empty state.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { allTopicNames, createKafka, createLogger, ensureTopics } from '@app/common';
import type { Benchmark, BenchResult, BenchRow } from './lib/bench-result.js';
import { currentProgress } from './lib/progress.js';

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/bench
const ROOT = join(HERE, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
const APP_SCHEMAS = ['ingest_app', 'ingest_wechat', 'ingest_weibo', 'router', 'notifier', 'wz_shared'];
const DEFAULT_BENCH_PORT = 29500;

interface KafkaScript {
  KAFKA_VERSION: string;
  startBroker(opts: { port: number; log?: (m: string) => void }): Promise<{ brokers: string; pid: number; alreadyRunning: boolean; stop(): Promise<unknown> }>;
}
interface DbScript {
  ensureDatabase(opts: { databaseUrl?: string; database?: string; log?: (m: string) => void }): Promise<{
    databaseUrl: string;
    embedded: boolean;
    stop(): Promise<void>;
  }>;
  redact(url: string): string;
}

interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  java: string;
  kafka: string;
  postgres: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number;
}

interface Outcome {
  bench: string;
  seconds: number;
  result?: BenchResult;
  error?: string;
}

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

async function importScript<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(join(ROOT, 'scripts', name)).href)) as T;
}

function discover(filter: string[]): string[] {
  // By name, but e2e-load last: it saturates the machine and leaves the database, the disk and the broker busy for a
  // while after it (checkpoints, vacuum, segment deletion), which the latency benchmarks after it measured as theirs.
  const last = (f: string): number => (f === 'e2e-load.bench.js' ? 1 : 0);
  const all = readdirSync(HERE)
    .filter((f) => f.endsWith('.bench.js'))
    .sort((a, b) => last(a) - last(b) || a.localeCompare(b));
  if (filter.length === 0) return all;
  const picked = all.filter((f) => filter.some((n) => basename(f, '.bench.js') === n || basename(f, '.bench.js').includes(n)));
  const missing = filter.filter((n) => !all.some((f) => basename(f, '.bench.js').includes(n)));
  if (missing.length) throw new Error(`no benchmark matches ${missing.join(', ')}; there are: ${all.map((f) => basename(f, '.bench.js')).join(', ')}`);
  return picked;
}

function javaVersion(): string {
  const bin = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const res = spawnSync(bin, ['-version'], { encoding: 'utf8' }); // prints to stderr
  if (res.error) return 'not found';
  return `${res.stderr}${res.stdout}`.split('\n')[0].trim() || 'unknown';
}

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) return `${pretty[1]} (${os.type()} ${os.release()})`;
  } catch {
    /* not Linux */
  }
  return `${os.type()} ${os.release()}`;
}

/** Drops the app schemas and earlier benchmarks' schemas; returns the server version. */
async function resetDatabase(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) OR nspname LIKE 'bench\\_%'`,
      [APP_SCHEMAS],
    );
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${version.rows[0].server_version}`;
  } finally {
    await client.end();
  }
}

/** A spinner with the benchmark's own progress line on a terminal; a line every 15 s otherwise. */
function startProgress(name: string): () => void {
  const started = Date.now();
  const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
  let i = 0;
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)}s`;
  if (process.stderr.isTTY) {
    const timer = setInterval(() => {
      const step = currentProgress();
      const line = `${frames[i++ % frames.length]} ${name} ${elapsed()}${step ? ` · ${step}` : ''}`;
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
    }, 120);
    return () => {
      clearInterval(timer);
      process.stderr.write('\r\x1b[2K');
    };
  }
  log(`running ${name}...`);
  const timer = setInterval(() => {
    const step = currentProgress();
    log(`${name}: ${elapsed()}${step ? `, ${step}` : ''}`);
  }, 15_000);
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------
// Output

const STANDARD = new Set(['name', 'throughputPerSec', 'p50Ms', 'p95Ms', 'p99Ms']);

function num(value: number | undefined, digits = 1): string {
  if (value === undefined || Number.isNaN(value)) return '';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(value >= 100 ? 0 : digits);
}

function extras(row: BenchRow): string {
  return Object.entries(row)
    .filter(([k, v]) => !STANDARD.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? num(v, 2) : v}`)
    .join(', ');
}

function tableRows(outcomes: Outcome[]): string[][] {
  const rows: string[][] = [];
  for (const o of outcomes) {
    if (o.error) {
      rows.push([o.bench, `FAILED: ${o.error.split('\n')[0]}`, '', '', '', '', '']);
      continue;
    }
    for (const r of o.result?.rows ?? []) {
      rows.push([o.bench, r.name, num(r.throughputPerSec), num(r.p50Ms, 2), num(r.p95Ms, 2), num(r.p99Ms, 2), extras(r)]);
    }
  }
  return rows;
}

const HEADER = ['bench', 'measure', 'per second', 'p50 ms', 'p95 ms', 'p99 ms', 'extras'];

function textTable(rows: string[][]): string {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(HEADER), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(rows: string[][]): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map((_, i) => (i >= 2 && i <= 5 ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function goalLines(outcomes: Outcome[], md: boolean): string[] {
  const lines: string[] = [];
  for (const o of outcomes) {
    for (const g of o.result?.goals ?? []) {
      const mark = g.met ? (md ? '✅ met' : 'met    ') : md ? '❌ not met' : 'NOT MET';
      lines.push(md ? `- ${mark}: ${g.goal} (${o.bench}: ${g.measured})` : `  ${mark}  ${g.goal}  [${o.bench}: ${g.measured}]`);
    }
  }
  return lines;
}

function machineLines(m: Machine): string[] {
  return [
    `CPU: ${m.cpu} (${m.cores} cores)`,
    `Memory: ${m.memoryGb} GB · load average at start: ${m.loadAverage}`,
    `OS: ${m.os}`,
    `Node: ${m.node} · Java: ${m.java} · Kafka: ${m.kafka} · ${m.postgres}`,
  ];
}

function markdown(startedAt: string, machine: Machine, outcomes: Outcome[]): string {
  const notes = outcomes.flatMap((o) => (o.result?.notes ?? []).map((n) => `- ${o.bench}: ${n}`));
  const goals = goalLines(outcomes, true);
  return [
    `# Benchmarks ${startedAt}`,
    '',
    ...machineLines(machine).map((l) => `- ${l}`),
    `- Benchmarks: ${outcomes.map((o) => `${o.bench} (${o.seconds.toFixed(0)} s)`).join(', ')}`,
    '',
    markdownTable(tableRows(outcomes)),
    '',
    ...(goals.length ? ['## Goals', '', ...goals, ''] : []),
    ...(notes.length ? ['## Notes', '', ...notes, ''] : []),
  ].join('\n');
}

// ---------------------------------------------------------------------------

async function main(): Promise<number> {
  const files = discover(process.argv.slice(2).filter((a) => !a.startsWith('-')));
  if (files.length === 0) {
    log('no benchmarks found in dist/bench (files named *.bench.ts, compiled by npm run build)');
    return 1;
  }
  const kafkaScript = await importScript<KafkaScript>('kafka.mjs');
  const dbScript = await importScript<DbScript>('db.mjs');
  const cleanups: (() => Promise<unknown>)[] = [];
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping the broker, then exiting (again to exit at once)');
    void Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let kafkaVersion = 'external broker (KAFKA_BROKERS)';
    if (!process.env.KAFKA_BROKERS) {
      const port = Number(process.env.WZ_BENCH_KAFKA_PORT ?? DEFAULT_BENCH_PORT);
      const broker = await kafkaScript.startBroker({ port, log });
      if (!broker.alreadyRunning) cleanups.push(() => broker.stop());
      process.env.KAFKA_BROKERS = broker.brokers;
      // e2e-load samples the broker's CPU and memory.
      process.env.WZ_BENCH_KAFKA_PID = String(broker.pid);
      kafkaVersion = kafkaScript.KAFKA_VERSION;
    }
    const db = await dbScript.ensureDatabase(
      process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL, log } : { database: 'wenzheng_bench', log },
    );
    cleanups.push(() => db.stop());
    process.env.DATABASE_URL = db.databaseUrl;
    const postgres = await resetDatabase(db.databaseUrl);
    const kafka = createKafka('bench', process.env.KAFKA_BROKERS, createLogger('bench', 'warn'));
    await ensureTopics(kafka, allTopicNames(), { partitions: Number(process.env.KAFKA_PARTITIONS ?? 6), replicationFactor: 1 });
    log(`Kafka ${process.env.KAFKA_BROKERS}, database ${dbScript.redact(db.databaseUrl)}`);

    const machine: Machine = {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      os: osName(),
      node: process.version,
      java: javaVersion(),
      kafka: kafkaVersion,
      postgres,
      loadAverage: Number(os.loadavg()[0].toFixed(2)),
    };
    const startedAt = new Date().toISOString();
    const outcomes: Outcome[] = [];
    for (const file of files) {
      if (interrupted) break;
      const name = basename(file, '.bench.js');
      const t = Date.now();
      const outcome = await runInChild(file);
      outcomes.push({ bench: name, seconds: (Date.now() - t) / 1000, ...outcome });
      log(`${name} done in ${((Date.now() - t) / 1000).toFixed(1)}s`);
    }

    const rows = tableRows(outcomes);
    process.stdout.write(`\n${machineLines(machine).join('\n')}\n\n${textTable(rows)}\n`);
    const goals = goalLines(outcomes, false);
    if (goals.length) process.stdout.write(`\nGoals:\n${goals.join('\n')}\n`);
    for (const o of outcomes.filter((x) => x.error)) process.stdout.write(`\n${o.bench} failed:\n${o.error}\n`);

    mkdirSync(RESULTS, { recursive: true });
    const stamp = startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
    const md = markdown(startedAt, machine, outcomes);
    writeFileSync(join(RESULTS, `${stamp}.json`), JSON.stringify({ startedAt, machine, outcomes }, null, 2) + '\n');
    writeFileSync(join(RESULTS, `${stamp}.md`), md + '\n');
    writeFileSync(join(RESULTS, 'latest.md'), md + '\n');
    process.stdout.write(`\nSaved bench/results/${stamp}.json, bench/results/${stamp}.md and bench/results/latest.md\n`);
    return outcomes.some((o) => o.error) ? 1 : 0;
  } finally {
    for (const c of cleanups.reverse()) await c().catch((error: unknown) => log(`cleanup: ${(error as Error).message}`));
  }
}

type ChildOutcome = Pick<Outcome, 'result' | 'error'>;

/**
 * Each benchmark runs in a process of its own (`run.js --one <file>`, same broker, database and environment): run in
 * this one, a benchmark met the heap, the loaded modules and the leftover timers of those before it (the e-mail
 * pools, consumers and garbage of the whole platform after e2e-load), and its latency and memory figures carried them.
 */
function runInChild(file: string): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--one', file], { stdio: 'inherit' });
    let outcome: ChildOutcome | undefined;
    child.once('message', (m) => (outcome = m as ChildOutcome));
    child.once('exit', (code, signal) => resolve(outcome ?? { error: `the benchmark's process exited (${signal ?? `code ${code}`}) without a result` }));
  });
}

async function runOne(file: string): Promise<never> {
  const name = basename(file, '.bench.js');
  const stop = startProgress(name);
  let outcome: ChildOutcome;
  try {
    const mod = (await import(pathToFileURL(join(HERE, file)).href)) as Partial<Benchmark>;
    if (typeof mod.run !== 'function') throw new Error(`${file} exports no run()`);
    outcome = { result: await mod.run() };
  } catch (error) {
    outcome = { error: (error as Error).stack ?? String(error) };
  } finally {
    stop();
  }
  await new Promise((resolve) => process.send!(outcome, resolve));
  // A benchmark may leave handles open (pools, timers); its figures are in, so the process ends here.
  process.exit(0);
}

if (!existsSync(join(ROOT, 'scripts', 'kafka.mjs'))) {
  log(`scripts/kafka.mjs not found from ${HERE}; run from the repository (node dist/bench/run.js)`);
  process.exit(1);
}
const one = process.argv.indexOf('--one');
(one >= 0 ? runOne(process.argv[one + 1]) : main()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`error: ${process.env.DEBUG ? (error as Error).stack : (error as Error).message}`);
    process.exit(1);
  },
);
