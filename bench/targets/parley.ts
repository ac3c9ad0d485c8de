/**
 * The Parley target: the real server (`apps/server/src/main.ts`), run by Node with tsx's loader as
 * one process so `/proc/<pid>` is the server itself. Standalone use:
 *   tsx bench/targets/parley.ts [port]   (memory store and roles; prints `listening on <port>`)
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnTs, REPO_DIR, type Child } from '../lib/proc.ts';

export const SERVICE_TOKEN = 'bench-service-token-0123456789';

export interface ParleyOptions {
  name: string;
  port: number;
  /** `memory://` (one instance, roles in process) or `redis://127.0.0.1:<port>`. @default 'memory://' */
  redisUrl?: string;
  /** @default 'pglite' */
  store?: 'pglite' | 'postgres';
  /** PGlite folder. @default 'memory://' */
  dataDir?: string;
  databaseUrl?: string;
  /** Shared by the instances of one cluster so tokens from one are valid on the other. */
  jwtSecret: string;
  /** Extra environment (e.g. PING_INTERVAL_MS). */
  env?: Record<string, string>;
  /** Node flags (e.g. `--cpu-prof`). @default [] */
  nodeArgs?: string[];
}

export function parleyEnv(o: ParleyOptions): Record<string, string> {
  return {
    NODE_ENV: 'production',
    REDIS_URL: o.redisUrl ?? 'memory://',
    STORE: o.store ?? 'pglite',
    DATA_DIR: o.dataDir ?? 'memory://',
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    AUTH_MODE: 'dev',
    JWT_SECRET: o.jwtSecret,
    HOST: '127.0.0.1',
    PORT: String(o.port),
    RATE_SEND_PER_SEC: '0',
    SERVICE_TOKEN,
    // Baselines log nothing per connection; Parley logs warnings and errors only.
    LOG_LEVEL: process.env.BENCH_PARLEY_LOG ?? 'warn',
    ...o.env,
  };
}

export function launchParley(o: ParleyOptions): Child {
  return spawnTs({ name: o.name, script: join(REPO_DIR, 'apps/server/src/main.ts'), env: parleyEnv(o), cwd: REPO_DIR, nodeArgs: o.nodeArgs ?? [] });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const child = launchParley({ name: 'parley', port: Number(process.argv[2] ?? 3001), jwtSecret: 'bench-jwt-secret-0123456789abcdef' });
  child.proc.stdout?.pipe(process.stdout);
  child.proc.stderr?.pipe(process.stderr);
  void child.exited.then((code) => process.exit(code ?? 0));
}
