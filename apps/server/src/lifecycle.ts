import type { Logger } from '@parley/api';
import { RedisUnreachableError } from './redis-roles.ts';

/** Runs a process's `main`: a Redis that does not answer exits 2 with how to fix it, anything else 1. */
export function runMain(what: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof RedisUnreachableError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${what} failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}

const SHUTDOWN_WITHIN_MS = 10_000;

/** SIGTERM / SIGINT: `close` once, then exit 0. */
export function closeOnSignals(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    // A dependency that never finishes closing must not keep a stopped process alive.
    setTimeout(() => {
      log.warn('shutdown did not finish in time: exiting anyway', { afterMs: SHUTDOWN_WITHIN_MS });
      process.exit(0);
    }, SHUTDOWN_WITHIN_MS).unref();
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
