import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface InstanceHandle {
  id: string;
  port: number;
  url: string;
  wsUrl: string;
  pid: number;
  /** stderr lines (JSON logs). */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `kill -9`: no cleanup at all. */
  crash(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Runs `src/main.ts` — exactly what `pnpm start` runs — as its own process, on a free port; or
 * `src/worker-main.ts` (`pnpm worker`), whose port serves `/healthz` and `/metrics`.
 */
export async function startInstance(
  env: Record<string, string>,
  options: { timeoutMs?: number; script?: 'src/main.ts' | 'src/worker-main.ts' } = {},
): Promise<InstanceHandle> {
  const id = env.INSTANCE_ID ?? `inst-${Math.random().toString(36).slice(2, 8)}`;
  const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? 'src/main.ts'], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', WORKER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', INSTANCE_ID: id, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const logs: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`instance ${id} did not start in time:\n${logs.join('\n')}`)), options.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`instance ${id} exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  return {
    id,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/trpc`,
    pid: child.pid!,
    logs,
    exited,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs main.ts expecting it to fail; resolves with its exit code and output. */
export async function runToExit(env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr, stdout };
}
