/**
 * Every child process the harness starts goes through here, so all of them are stopped at the end,
 * on an error and on SIGINT/SIGTERM. Each child leads its own process group (detached), so stopping it
 * also stops anything it started itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR = join(BENCH_DIR, '..');

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
  exitCode: number | null | undefined;
  /** Last few KB of stdout+stderr, for error messages. */
  tail(): string;
}

const children = new Set<Child>();
let logDir: string | null = null;
/** Synchronous clean-ups for a signal or an exit mid-run (e.g. dropping a bench database). */
const cleanups = new Set<() => void>();

/** Runs `fn` if the harness is interrupted before the returned function is called. */
export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function runCleanups(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  cleanups.clear();
}

export function setLogDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  logDir = dir;
}

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.proc.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export async function stopChild(child: Child, graceMs = 3000): Promise<void> {
  if (child.exitCode !== undefined) {
    children.delete(child);
    return;
  }
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
  // Anything the child left behind in its group.
  signalGroup(child, 'SIGKILL');
  children.delete(child);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 2000)));
}

function killAllNow(): void {
  for (const c of children) signalGroup(c, 'SIGKILL');
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    killAllNow();
    runCleanups();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping ${children.size} child process(es)\n`);
      killAllNow();
      runCleanups();
      process.exit(130);
    });
  }
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  ipc?: boolean;
}

/** Raises the soft open-files limit to the hard one inside the child (`bash -c 'ulimit -n … && exec …'`). */
export function spawnChild(o: SpawnOptions): Child {
  hookExit();
  const script = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const proc = spawn('bash', ['-c', script, 'bash', o.command, ...o.args], {
    cwd: o.cwd ?? REPO_DIR,
    env: { ...process.env, ...o.env },
    detached: true,
    stdio: o.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let log: WriteStream | null = null;
  if (logDir) log = createWriteStream(join(logDir, `${o.name}.log`), { flags: 'a' });
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8192);
    log?.write(chunk);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const child: Child = {
    name: o.name,
    pid: proc.pid ?? -1,
    proc,
    exitCode: undefined,
    exited: new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        child.exitCode = code ?? (signal ? -1 : null);
        log?.end();
        resolve(child.exitCode);
      });
      proc.on('error', () => {
        child.exitCode = -1;
        resolve(-1);
      });
    }),
    tail: () => tail,
  };
  children.add(child);
  return child;
}

/** A TypeScript entry run by Node with tsx's loader, as one process (no tsx CLI wrapper). */
export function spawnTs(o: Omit<SpawnOptions, 'command' | 'args'> & { script: string; args?: string[]; nodeArgs?: string[] }): Child {
  return spawnChild({ ...o, command: process.execPath, args: [...(o.nodeArgs ?? []), '--import', 'tsx', o.script, ...(o.args ?? [])] });
}

/** Resolves with the first match of `pattern` on the child's output; rejects on exit or time-out. */
export function waitForOutput(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-16384);
      const m = seen.match(pattern);
      if (m) {
        done();
        resolve(m);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${child.name}: no ${pattern} within ${timeoutMs} ms; output:\n${child.tail()}`));
    }, timeoutMs);
    const onExit = () => {
      done();
      reject(new Error(`${child.name} exited (${child.exitCode}) before ${pattern}; output:\n${child.tail()}`));
    };
    const done = () => {
      clearTimeout(timer);
      child.proc.stdout?.off('data', onData);
      child.proc.stderr?.off('data', onData);
      child.proc.off('exit', onExit);
    };
    child.proc.stdout?.on('data', onData);
    child.proc.stderr?.on('data', onData);
    child.proc.once('exit', onExit);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
