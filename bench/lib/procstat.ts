/**
 * Server cost measured from outside, the same way for every target: CPU from `/proc/<pid>/stat`
 * (utime + stime, all threads, in clock ticks) and memory from `/proc/<pid>/status` (VmRSS), summed
 * over the process and its descendants.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let tickUs = 10_000;
try {
  tickUs = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
} catch {
  /* 100 Hz is the Linux default */
}

interface Stat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** The process and all its live descendants. */
export function processTree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const p = Number(entry);
    if (!Number.isInteger(p) || p <= 0) continue;
    const s = readStat(p);
    if (s) parent.set(p, s.ppid);
  }
  const out = [pid];
  for (let i = 0; i < out.length && i < 10_000; i += 1) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out.filter((p) => parent.has(p));
}

/** CPU time in µs used so far by the given processes and their descendants. */
export function cpuUs(pids: number[]): number {
  let ticks = 0;
  for (const root of pids) for (const p of processTree(root)) ticks += readStat(p)?.ticks ?? 0;
  return ticks * tickUs;
}

export function rssKb(pids: number[]): number {
  let kb = 0;
  for (const root of pids) {
    for (const p of processTree(root)) {
      try {
        const m = readFileSync(`/proc/${p}/status`, 'utf8').match(/VmRSS:\s+(\d+)\s+kB/);
        kb += m ? Number(m[1]) : 0;
      } catch {
        /* exited */
      }
    }
  }
  return kb;
}

/** Machine-wide busy time (all cores) in µs, to tell how loaded the box was. */
export function machineBusyUs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return (total - idle) * tickUs;
}

/** CPU time in µs per process of the given trees. */
function cpuByPid(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const root of pids) for (const p of processTree(root)) out.set(p, (readStat(p)?.ticks ?? 0) * tickUs);
  return out;
}

export class CpuMeter {
  private startCpu = new Map<number, number>();
  private startAt = 0;
  constructor(private readonly pids: number[]) {}
  start(): void {
    this.startCpu = cpuByPid(this.pids);
    this.startAt = performance.now();
  }
  /**
   * µs of CPU since start, and the share of one core. Per process: one that exited meanwhile (a pool
   * closing an idle Postgres connection) is left out rather than subtracted, one that started counts whole.
   */
  stop(): { cpuUs: number; wallMs: number; cores: number } {
    let cpu = 0;
    for (const [pid, us] of cpuByPid(this.pids)) cpu += us - (this.startCpu.get(pid) ?? 0);
    const wallMs = performance.now() - this.startAt;
    return { cpuUs: cpu, wallMs, cores: cpu / 1000 / wallMs };
  }
}

/** Postgres backends serving one database (their command line names it). */
export function pgBackends(dbName: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${dbName} `)) out.push(pid);
    } catch {
      /* gone */
    }
  }
  return out;
}
