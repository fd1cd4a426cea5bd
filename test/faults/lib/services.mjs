// The compiled services as child processes: started, kill -9'd and restarted by the fault runner. Unlike
// scripts/up-apps.mjs (which gives up after a few crashes and stops gracefully), a service that dies on its own
// here (for instance while PostgreSQL is down) is restarted after a second, indefinitely, and every exit is counted.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const PORT_ENV = { 'ingest-app': 'INGEST_APP_PORT', 'ingest-wechat': 'INGEST_WECHAT_PORT', 'ingest-weibo': 'INGEST_WEIBO_PORT', router: 'ROUTER_PORT', notifier: 'NOTIFIER_PORT' };

/** The app of a service name: `router.2` is a second instance of the router, on a port of its own. */
export const appOf = (name) => name.split('.')[0];

export class ServiceSet {
  /**
   * @param {{ root: string, dist: string, logDir: string, env: Record<string,string>, log: (m: string) => void }} o
   */
  constructor(o) {
    this.o = o;
    this.procs = new Map();
    this.stopping = false;
  }

  main(name) {
    return join(this.o.dist, 'apps', appOf(name), 'src', 'main.js');
  }

  /** `node main.js migrate` to completion; throws on failure. */
  async migrate(name) {
    const code = await new Promise((resolve) => {
      const out = createWriteStream(join(this.o.logDir, `${name}.migrate.log`));
      const child = spawn(process.execPath, [this.main(name), 'migrate'], { cwd: this.o.root, env: this.env(name), stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(out);
      child.stderr.pipe(out);
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`${name} migrate exited ${code}; see ${join(this.o.logDir, `${name}.migrate.log`)}`);
  }

  env(name, port) {
    const app = appOf(name);
    return { ...process.env, ...this.o.env, ...(this.o.perApp?.[app] ?? {}), ...(port ? { [PORT_ENV[app]]: String(port) } : {}) };
  }

  start(name, port) {
    const state = this.procs.get(name) ?? { name, port, starts: 0, kills: 0, crashes: 0, listenMs: [], log: createWriteStream(join(this.o.logDir, `${name}.log`), { flags: 'a' }) };
    this.procs.set(name, state);
    state.starts++;
    state.killedByUs = false;
    const child = spawn(process.execPath, [this.main(name)], { cwd: this.o.root, env: this.env(name, port), stdio: ['ignore', 'pipe', 'pipe'] });
    state.child = child;
    state.exited = false;
    child.stdout.pipe(state.log, { end: false });
    child.stderr.pipe(state.log, { end: false });
    if (state.starts > 1) void this.timeToListen(state, child);
    child.once('exit', (code, signal) => {
      state.exited = true;
      if (this.stopping || state.killedByUs) return;
      state.crashes++;
      this.o.log(`${name} exited on its own (${signal ?? `code ${code}`}); restarting in 1s`);
      setTimeout(() => {
        if (!this.stopping && state.child === child) this.start(name, port);
      }, 1000);
    });
    return state;
  }

  /** After a restart: how long until the port takes connections again (what its clients see of the outage). */
  async timeToListen(state, child) {
    const started = Date.now();
    while (!this.stopping && state.child === child && !state.exited) {
      if (await accepts(state.port)) {
        state.listenMs.push(Date.now() - started);
        return;
      }
      await sleep(200);
    }
  }

  /** kill -9, wait `downMs`, start again. */
  async killAndRestart(name, downMs) {
    const state = this.procs.get(name);
    state.killedByUs = true;
    state.kills++;
    const gone = new Promise((r) => (state.exited ? r() : state.child.once('exit', r)));
    state.child.kill('SIGKILL');
    await gone;
    await sleep(downMs);
    if (!this.stopping) this.start(name, state.port);
  }

  /** Polls GET /ready until it says `ready` (database and broker reachable; `degraded` is a broker not yet). */
  async waitReady(name, timeoutMs = 120_000) {
    const { port } = this.procs.get(name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200 && (await res.json()).status === 'ready') return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${name} not ready on port ${port} after ${timeoutMs / 1000}s; see ${join(this.o.logDir, `${name}.log`)}`);
      await sleep(300);
    }
  }

  stats() {
    return [...this.procs.values()].map((s) => ({ service: s.name, starts: s.starts, kills: s.kills, crashes: s.crashes, listenMs: s.listenMs }));
  }

  async stopAll() {
    this.stopping = true;
    await Promise.all(
      [...this.procs.values()].map(async (s) => {
        if (s.exited) return;
        const gone = new Promise((r) => s.child.once('exit', r));
        s.child.kill('SIGTERM');
        const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }),
    );
    for (const s of this.procs.values()) s.log.end();
  }
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', timeout: 1000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
