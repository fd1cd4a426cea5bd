// CPU and resident memory of other processes (services, the broker, PostgreSQL backends) from /proc, sampled
// about once a second. Linux only; elsewhere every figure stays empty.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux Node runs on). */
const HZ = 100;

interface Sample {
  /** utime + stime, in ticks. */
  ticks: number;
  rssKb: number;
  /** Resident memory of the process's own (anonymous) pages: without shared memory such as PostgreSQL's buffers. */
  anonKb: number;
}

function sample(pid: number): Sample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { ticks, rssKb: kb('VmRSS'), anonKb: kb('RssAnon') };
  } catch {
    return undefined; // gone, or not ours to read
  }
}

export interface GroupFigures {
  /** Mean CPU over the window, in percent of one core. */
  cpuPercent: number;
  /** Highest one-second CPU seen. */
  cpuMaxPercent: number;
  /** Highest total resident memory seen (own pages only for `privateMemory` groups). */
  rssMaxMb: number;
  samples: number;
}

interface GroupWindow {
  busyTicks: number;
  seconds: number;
  cpuMax: number;
  rssMaxKb: number;
  samples: number;
}

/**
 * Samples named groups of processes every `intervalMs`. A group's pids are asked for at each sample (services
 * restart, PostgreSQL backends come and go); CPU is the sum of the tick deltas of pids seen in both samples.
 */
export class ProcSampler {
  private timer?: NodeJS.Timeout;
  private last = new Map<number, Sample>();
  private lastAt = 0;
  private window = new Map<string, GroupWindow>();
  private busy = false;

  /**
   * @param privateMemory groups whose memory is the sum of their processes' own pages (RssAnon): for PostgreSQL,
   *   whose backends all map the same shared buffers, summing VmRSS would count them once per backend.
   */
  constructor(
    private readonly groups: () => Promise<Record<string, number[]>> | Record<string, number[]>,
    private readonly privateMemory: ReadonlySet<string> = new Set(),
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Figures since the previous call (or since start), per group; starts a new window. */
  take(): Record<string, GroupFigures> {
    const out: Record<string, GroupFigures> = {};
    for (const [name, w] of this.window) {
      out[name] = {
        cpuPercent: w.seconds > 0 ? Math.round((w.busyTicks / HZ / w.seconds) * 100) : 0,
        cpuMaxPercent: Math.round(w.cpuMax),
        rssMaxMb: Math.round(w.rssMaxKb / 1024),
        samples: w.samples,
      };
    }
    this.window = new Map();
    return out;
  }

  private async tick(): Promise<void> {
    if (this.busy) return; // the pid query of the last tick has not answered yet
    this.busy = true;
    let groups: Record<string, number[]>;
    try {
      groups = await this.groups();
    } catch {
      return;
    } finally {
      this.busy = false;
    }
    const now = Date.now();
    const seconds = this.lastAt ? (now - this.lastAt) / 1000 : 0;
    const next = new Map<number, Sample>();
    for (const [name, pids] of Object.entries(groups)) {
      let ticks = 0;
      let rssKb = 0;
      for (const pid of pids) {
        const s = sample(pid);
        if (!s) continue;
        next.set(pid, s);
        rssKb += this.privateMemory.has(name) ? s.anonKb : s.rssKb;
        const before = this.last.get(pid);
        if (before) ticks += Math.max(0, s.ticks - before.ticks);
      }
      const w = this.window.get(name) ?? { busyTicks: 0, seconds: 0, cpuMax: 0, rssMaxKb: 0, samples: 0 };
      if (seconds > 0) {
        w.busyTicks += ticks;
        w.seconds += seconds;
        w.cpuMax = Math.max(w.cpuMax, (ticks / HZ / seconds) * 100);
      }
      w.rssMaxKb = Math.max(w.rssMaxKb, rssKb);
      w.samples++;
      this.window.set(name, w);
    }
    this.last = next;
    this.lastAt = now;
  }
}
