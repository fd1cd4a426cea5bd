// The apps' side of scripts/up.mjs: which apps there are, one readable log stream for all of them, and the
// supervisor that starts them, restarts a crashing one with back-off and stops them all gracefully.
// Node built-ins only (pino-pretty is loaded lazily): `up` imports this before `npm ci` may have run.

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GUARD = pathToFileURL(join(ROOT, 'scripts', 'up-guard.mjs')).href;
const STOP_TIMEOUT_MS = 20_000;
const STABLE_AFTER_MS = 60_000;

export const APPS = [
  { name: 'ingest-app', portEnv: 'INGEST_APP_PORT', port: 3001, color: 36 },
  { name: 'ingest-wechat', portEnv: 'INGEST_WECHAT_PORT', port: 3002, color: 32 },
  { name: 'ingest-weibo', portEnv: 'INGEST_WEIBO_PORT', port: 3003, color: 35 },
  { name: 'router', portEnv: 'ROUTER_PORT', port: 3004, color: 33 },
  { name: 'notifier', portEnv: 'NOTIFIER_PORT', port: 3005, color: 34 },
];

// ---------------------------------------------------------------------------
// Output

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
export const paint = (code, text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
export const NAME_WIDTH = Math.max(...APPS.map((a) => a.name.length), 'kafka'.length);

export function say(msg) {
  process.stdout.write(`${paint('1', 'up'.padEnd(NAME_WIDTH))} │ ${msg}\n`);
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS = { 10: 90, 20: 90, 30: 32, 40: 33, 50: 31, 60: 41 };
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** Formats app output: pino-pretty on a terminal, else one compact `time level app msg {extra}` line per record. */
export async function makeFormatter() {
  let pretty = null;
  if (tty) {
    try {
      const { prettyFactory } = (await import('pino-pretty')).default;
      pretty = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
    } catch {
      pretty = null; // dev dependency absent (npm ci --omit=dev): the compact form is fine
    }
  }
  return (app, line) => {
    const prefix = `${paint(app.color, app.name.padEnd(NAME_WIDTH))} │ `;
    let record = null;
    if (line.startsWith('{')) {
      try {
        record = JSON.parse(line);
      } catch {
        record = null;
      }
    }
    if (!record || typeof record !== 'object') return `${prefix}${line}\n`;
    if (pretty) {
      return pretty(record).trimEnd().split('\n').map((l) => `${prefix}${l}\n`).join('');
    }
    const time = typeof record.time === 'string' ? record.time.slice(11, 23) : new Date(record.time ?? Date.now()).toISOString().slice(11, 23);
    const level = paint(LEVEL_COLORS[record.level] ?? 0, (LEVELS[record.level] ?? String(record.level)).padEnd(5));
    const extra = Object.fromEntries(Object.entries(record).filter(([k]) => !HIDDEN.has(k)));
    const rest = Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : '';
    return `${time} ${level} ${prefix}${record.msg ?? ''}${rest}\n`;
  };
}

export function pipeLines(stream, app, format, sink = process.stdout) {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (line) => sink.write(format(app, line)));
}

/** Runs `node main.js <args>` of one app to completion, its output through the formatter. */
export function runAppCommand(app, args, env, format) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [mainOf(app), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    pipeLines(child.stdout, app, format);
    pipeLines(child.stderr, app, format);
    child.once('error', (err) => done({ code: -1, error: err }));
    child.once('exit', (code, signal) => done({ code: code ?? signal }));
  });
}

export const mainOf = (app) => join('dist', 'apps', app.name, 'src', 'main.js');

// ---------------------------------------------------------------------------
// Supervisor

export class Supervisor {
  constructor(env, format, maxRestarts) {
    this.env = env;
    this.format = format;
    this.maxRestarts = maxRestarts;
    this.procs = new Map();
    this.stopping = false;
  }

  start(app) {
    const state = this.procs.get(app.name) ?? { app, restarts: 0, timer: null };
    this.procs.set(app.name, state);
    // Own process group: Ctrl-C reaches only us, and we stop the apps one way (SIGTERM). Had the terminal's
    // SIGINT reached them too, our SIGTERM would land after Nest removed its handlers and kill them mid-close.
    const child = spawn(process.execPath, ['--import', GUARD, mainOf(app)], { cwd: ROOT, env: this.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    state.child = child;
    state.startedAt = Date.now();
    state.exited = false;
    state.signalledByUs = false;
    pipeLines(child.stdout, app, this.format);
    pipeLines(child.stderr, app, this.format);
    child.once('error', (err) => say(paint(31, `${app.name} could not start: ${err.message}`)));
    child.once('exit', (code, signal) => this.exited(state, code, signal));
  }

  exited(state, code, signal) {
    state.exited = true;
    const { app } = state;
    if (this.stopping) return;
    if ((signal === 'SIGINT' || signal === 'SIGTERM') && !state.signalledByUs) {
      say(paint(33, `${app.name} was stopped by ${signal} from outside; not restarting it`));
      return;
    }
    if (Date.now() - state.startedAt > STABLE_AFTER_MS) state.restarts = 0;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (state.restarts >= this.maxRestarts) {
      say(paint(31, `${app.name} exited (${how}); gave up after ${this.maxRestarts} restarts. The other apps keep running.`));
      return;
    }
    state.restarts++;
    const delay = Math.min(30_000, 1000 * 2 ** (state.restarts - 1));
    say(paint(31, `${app.name} crashed (${how}); restart ${state.restarts}/${this.maxRestarts} in ${delay / 1000}s`));
    state.timer = setTimeout(() => {
      state.timer = null;
      if (!this.stopping) this.start(app);
    }, delay);
  }

  isAlive(name) {
    const s = this.procs.get(name);
    return !!s && !s.exited;
  }

  /** SIGTERM (Nest closes consumers, relay, pool), SIGKILL after STOP_TIMEOUT_MS. */
  async stopAll(force = false) {
    this.stopping = true;
    const waits = [];
    for (const s of this.procs.values()) {
      if (s.timer) clearTimeout(s.timer);
      if (s.exited || !s.child) continue;
      waits.push(
        new Promise((done) => {
          const timer = setTimeout(() => {
            say(paint(33, `${s.app.name} did not stop within ${STOP_TIMEOUT_MS / 1000}s; killing it`));
            s.child.kill('SIGKILL');
          }, force ? 0 : STOP_TIMEOUT_MS);
          const t = Date.now();
          s.child.once('exit', (code, signal) => {
            clearTimeout(timer);
            say(`${s.app.name} stopped (${signal ?? `code ${code}`}) in ${((Date.now() - t) / 1000).toFixed(1)}s`);
            done();
          });
          if (s.exited) done();
        }),
      );
      s.signalledByUs = true;
      s.child.kill(force ? 'SIGKILL' : 'SIGTERM');
    }
    await Promise.all(waits);
  }
}

