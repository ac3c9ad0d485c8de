/**
 * `pnpm dev`: everything a laptop needs with nothing else installed but Node and redis-server —
 * a Redis (started here on a free port when none answers at REDIS_URL), the server (dev auth,
 * embedded PGlite under .data/), its workers and the web app. INSTANCES=N starts N servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { redisAnswers } from './redis-probe.ts';

const root = join(import.meta.dirname, '..');
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A secret that survives restarts of `pnpm dev`, so signed-in browsers stay signed in. */
function persistentSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  const forward = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) out.write(prefix + line + '\n');
  };
  child.stdout?.on('data', forward(process.stdout));
  child.stderr?.on('data', forward(process.stderr));
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${prefix}exited (${signal ?? code}); stopping everything\n`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stop(code: number): Promise<void> {
  stopping = true;
  for (const child of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR ?? join(root, '.data');
  const instances = Math.max(1, Number(process.env.INSTANCES ?? 1));
  const basePort = Number(process.env.PORT ?? 3001);
  let redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  if (!(await redisAnswers(redisUrl))) {
    const port = await freePort();
    process.stdout.write(`no Redis at ${redisUrl}: starting redis-server on 127.0.0.1:${port}\n`);
    const redis = run('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {});
    redis.once('error', () => {
      process.stderr.write('could not start redis-server: install it (Debian: apt-get install redis-server) or set REDIS_URL\n');
      void stop(1);
    });
    redisUrl = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(redisUrl))) {
      if (Date.now() > deadline) throw new Error('redis-server did not answer within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const serviceToken = process.env.SERVICE_TOKEN ?? persistentSecret(dataDir, 'dev-service-token');
  const shared = {
    AUTH_MODE: process.env.AUTH_MODE ?? 'dev',
    HOST: process.env.HOST ?? '127.0.0.1',
    REDIS_URL: redisUrl,
    JWT_SECRET: process.env.JWT_SECRET ?? persistentSecret(dataDir, 'dev-jwt-secret'),
    SERVICE_TOKEN: serviceToken,
    DATA_DIR: dataDir,
  };
  if (instances > 1 && (process.env.STORE ?? 'pglite') === 'pglite') {
    throw new Error('INSTANCES>1 needs a store several processes can share: set STORE=postgres and DATABASE_URL');
  }
  for (let i = 0; i < instances; i++) {
    run(instances > 1 ? `server:${basePort + i}` : 'server', 'pnpm', ['--silent', '--filter', '@parley/server', 'start'], { ...shared, PORT: String(basePort + i) });
  }
  if (existsSync(join(root, 'apps/web/package.json'))) {
    run('web', 'pnpm', ['--silent', '--filter', '@parley/web', 'dev'], {
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_PUBLIC_PARLEY_WS_URL: process.env.NEXT_PUBLIC_PARLEY_WS_URL ?? `ws://127.0.0.1:${basePort}/trpc`,
    });
  }
  process.stdout.write(`admin service token (for /admin): ${serviceToken}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`pnpm dev failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void stop(1);
});
