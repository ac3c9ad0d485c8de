/**
 * The e2e suite's backend, started by Playwright's `webServer`: a private redis-server on a free port
 * (empty, no persistence), then the real server (`apps/server/src/main.ts`) on `PORT`, using it. When
 * the server exits or this process is told to stop, redis-server goes too; if this process is killed
 * outright, the helper's watchdog still ends redis-server.
 *
 * Everything else (store, auth mode, service token) comes from the environment the config passes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { startRedisServer } from '../../server/test/helpers/redis-server.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Fails with a message naming the port, before starting anything, instead of a stack from `listen`. */
async function assertPortFree(port: number, host: string): Promise<void> {
  const probe = createServer();
  probe.listen(port, host);
  try {
    await once(probe, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`e2e server port ${host}:${port} is not available (${code ?? String(error)}): stop what holds it or set E2E_SERVER_PORT`);
  }
  await new Promise((resolve) => probe.close(resolve));
}

async function main(): Promise<number> {
  const port = Number(process.env.PORT);
  const host = process.env.HOST ?? '127.0.0.1';
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must name the e2e server port');
  await assertPortFree(port, host);

  const redis = await startRedisServer();
  process.stdout.write(`redis-server on ${redis.url}\n`);
  const server = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, REDIS_URL: redis.url },
    stdio: 'inherit',
  });

  // Run by hand and stopped with Ctrl+C: the server shuts down, then redis-server (below).
  const stop = (signal: NodeJS.Signals) => {
    if (server.exitCode === null && server.signalCode === null) server.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const [code, signal] = (await once(server, 'exit')) as [number | null, NodeJS.Signals | null];
  await redis.stop();
  if (code !== 0 && signal === null) process.stderr.write(`e2e server exited with code ${code}\n`);
  return code ?? 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`e2e backend failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
