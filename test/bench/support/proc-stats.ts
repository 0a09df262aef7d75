import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU and resident memory of a process straight from /proc (Linux only, which is where the
 * benchmark runs); a dependency such as pidusage would read the same two files.
 */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

interface CpuReading {
  ticks: number;
  atMs: number;
}

function readCpu(pid: number): CpuReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), atMs: Date.now() };
  } catch {
    return undefined; // the process is gone: no reading, the sampler reports what it had
  }
}

function readRssMb(pid: number): number | undefined {
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return (Number(statm[1]) * PAGE_BYTES) / 1024 / 1024;
  } catch {
    return undefined;
  }
}

/** Whole-machine CPU ticks (all cores) from the first line of /proc/stat. */
function readMachine(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const ticks = values.map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0); // idle + iowait
  const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
  return { busy: total - idle, total };
}

export interface ProcessUsage {
  cpuPercentAvg: number;
  cpuPercentMax: number;
  rssMbMax: number;
}

/** Samples every `intervalMs` until stop(); CPU% is per core (200% = both cores busy). */
export class ProcessSampler {
  private readonly previous = new Map<number, CpuReading>();
  private readonly cpu = new Map<number, number[]>();
  private readonly rss = new Map<number, number>();
  private readonly first = new Map<number, CpuReading>();
  private timer?: NodeJS.Timeout;
  private machineAtStart?: { busy: number; total: number };
  /** Busy share of the whole machine over start()..stop(), 0-100 %. */
  machineBusyPercent = 0;

  constructor(private readonly pids: readonly number[], private readonly intervalMs = 500) {}

  start(): void {
    this.machineAtStart = readMachine();
    for (const pid of this.pids) {
      const reading = readCpu(pid);
      if (reading) {
        this.previous.set(pid, reading);
        this.first.set(pid, reading);
      }
    }
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  private sample(): void {
    for (const pid of this.pids) {
      const now = readCpu(pid);
      const before = this.previous.get(pid);
      if (now && before && now.atMs > before.atMs) {
        const percent = ((now.ticks - before.ticks) / CLOCK_TICKS_PER_SECOND / ((now.atMs - before.atMs) / 1000)) * 100;
        this.cpu.set(pid, [...(this.cpu.get(pid) ?? []), percent]);
        this.previous.set(pid, now);
      }
      const rss = readRssMb(pid);
      if (rss !== undefined) this.rss.set(pid, Math.max(this.rss.get(pid) ?? 0, rss));
    }
  }

  stop(): Map<number, ProcessUsage> {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const machine = readMachine();
    if (this.machineAtStart && machine.total > this.machineAtStart.total) {
      this.machineBusyPercent = ((machine.busy - this.machineAtStart.busy) / (machine.total - this.machineAtStart.total)) * 100;
    }
    const result = new Map<number, ProcessUsage>();
    for (const pid of this.pids) {
      const first = this.first.get(pid);
      const last = this.previous.get(pid);
      const avg =
        first && last && last.atMs > first.atMs
          ? ((last.ticks - first.ticks) / CLOCK_TICKS_PER_SECOND / ((last.atMs - first.atMs) / 1000)) * 100
          : 0;
      result.set(pid, { cpuPercentAvg: avg, cpuPercentMax: Math.max(0, ...(this.cpu.get(pid) ?? [0])), rssMbMax: this.rss.get(pid) ?? 0 });
    }
    return result;
  }
}

/** The pid of the process listening on a local TCP port (the broker, Redis), from `ss`; undefined if none or ss is missing. */
export function pidListeningOn(port: number): number | undefined {
  try {
    const line = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const pid = /pid=(\d+)/.exec(line)?.[1];
    return pid ? Number(pid) : undefined;
  } catch {
    return undefined;
  }
}
