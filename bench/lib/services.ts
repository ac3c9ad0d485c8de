import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, onInterrupt, spawnChild, stopChild, waitForOutput, type Child } from './proc.ts';

const run = promisify(execFile);

export interface RedisHandle {
  child: Child;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** A private redis-server on a free loopback port (never 6379), no persistence. */
export async function startRedis(name: string): Promise<RedisHandle> {
  const port = await freePort();
  if (port === 6379) throw new Error('refusing to use port 6379');
  const child = spawnChild({
    name,
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--maxclients', '10000'],
  });
  await waitForOutput(child, /Ready to accept connections/, 15_000);
  return { child, port, url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

export const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1';
export const PG_PORT = process.env.BENCH_PG_PORT ?? '5432';
export const PG_USER = process.env.BENCH_PG_USER ?? 'postgres';

export interface PgDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database on the local Postgres, dropped by `drop()`. */
export async function createPgDatabase(): Promise<PgDatabase> {
  const name = `parley_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const conn = ['-h', PG_HOST, '-p', PG_PORT, '-U', PG_USER];
  await run('createdb', [...conn, name], { timeout: 20_000 });
  // Interrupted (Ctrl-C, the run's time limit): the database must not outlive the run.
  const forget = onInterrupt(() => execFileSync('dropdb', [...conn, '--force', '--if-exists', name], { timeout: 30_000, stdio: 'ignore' }));
  return {
    name,
    url: `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${name}`,
    drop: async () => {
      forget();
      await run('dropdb', [...conn, '--force', '--if-exists', name], { timeout: 30_000 }).catch((e: Error) => {
        process.stderr.write(`bench: could not drop database ${name}: ${e.message}\n`);
      });
    },
  };
}

export async function postgresAvailable(): Promise<boolean> {
  try {
    await run('pg_isready', ['-h', PG_HOST, '-p', PG_PORT], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
