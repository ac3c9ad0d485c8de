/**
 * Harness side of a target: starts its server instance(s) (and the Redis / database it needs),
 * provisions users and rooms the way that target's clients would, and stops everything.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Cred, TargetName } from '../gen/protocols.ts';
import { signToken } from '../lib/token.ts';
import { BENCH_DIR, freePort, spawnTs, stopChild, waitForOutput, type Child } from '../lib/proc.ts';
import { createPgDatabase, startRedis, tempDir, type PgDatabase, type RedisHandle } from '../lib/services.ts';
import { pool } from '../lib/stats.ts';
import { launchParley } from './parley.ts';

export const TARGETS: TargetName[] = ['raw-ws', 'socketio', 'parley'];
const BASELINE_SECRET = 'bench-secret-0123456789abcdef';

export interface Instance {
  child: Child;
  port: number;
  /** `ws://127.0.0.1:<port>` */
  ws: string;
  http: string;
}

export interface DeployOptions {
  target: TargetName;
  /** @default 1 */
  instances?: number;
  /** Redis for the cross-instance path; Socket.IO always gets one (its adapter). @default instances > 1 */
  redis?: boolean;
  /** Parley's store. @default 'pglite-memory' */
  store?: 'pglite-memory' | 'pglite-dir' | 'postgres';
  label?: string;
  env?: Record<string, string>;
  /** Node flags for every server process (e.g. `--cpu-prof`). @default [] */
  nodeArgs?: string[];
}

export interface Deployment {
  target: TargetName;
  label: string;
  instances: Instance[];
  redis: RedisHandle | null;
  db: PgDatabase | null;
  serverPids(): number[];
  users(n: number, prefix: string): Promise<Cred[]>;
  /** A room (Parley: a conversation) of `owner` and `members`; returns its id. */
  room(owner: Cred, members: Cred[]): Promise<string>;
  stop(): Promise<void>;
}

async function startInstance(name: string, script: string, env: Record<string, string>, nodeArgs: string[]): Promise<Instance> {
  const port = await freePort();
  const child = spawnTs({ name, script, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, nodeArgs });
  try {
    await waitForOutput(child, /listening on (\d+)/, 20_000);
  } catch (error) {
    await stopChild(child, 1000);
    throw error;
  }
  return { child, port, ws: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}` };
}

async function trpc<T>(base: string, path: string, input: unknown, token?: string): Promise<T> {
  const body = JSON.stringify({ json: input });
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const res = await fetch(`${base}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
      return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
    } catch (error) {
      lastError = error;
      if (String(error).includes('HTTP 4')) break;
    }
  }
  throw lastError;
}

export async function deploy(o: DeployOptions): Promise<Deployment> {
  const count = o.instances ?? 1;
  const label = o.label ?? o.target;
  const wantRedis = o.target === 'socketio' || (o.redis ?? count > 1);
  const stops: Array<() => Promise<void>> = [];
  const stopAllParts = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  try {
    const redis = wantRedis ? await startRedis(`${label}-redis`) : null;
    if (redis) stops.push(redis.stop);
    let db: PgDatabase | null = null;
    const instances: Instance[] = [];

    if (o.target === 'parley') {
      const jwtSecret = randomBytes(24).toString('hex');
      let dataDir = 'memory://';
      if (o.store === 'postgres') {
        db = await createPgDatabase();
        stops.push(db.drop);
      } else if (o.store === 'pglite-dir') {
        const dir = tempDir('parley-bench-pglite-');
        stops.push(async () => dir.remove());
        dataDir = dir.path;
      }
      if (count > 1 && o.store !== 'postgres') throw new Error('a Parley cluster needs a shared store: use store postgres');
      // In parallel: the store's migrations take an advisory lock, so a second instance waits for them.
      const started = await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const port = await freePort();
          const child = launchParley({
            name: `${label}-${i}`,
            port,
            jwtSecret,
            redisUrl: redis?.url ?? 'memory://',
            store: o.store === 'postgres' ? 'postgres' : 'pglite',
            dataDir,
            ...(db ? { databaseUrl: db.url } : {}),
            ...(o.env ? { env: o.env } : {}),
            nodeArgs: o.nodeArgs ?? [],
          });
          stops.push(() => stopChild(child, 5000));
          await waitForOutput(child, /listening on (\d+)/, 90_000);
          return { child, port, ws: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}` };
        }),
      );
      instances.push(...started);
      const http = instances[0]!.http;
      return {
        target: o.target,
        label,
        instances,
        redis,
        db,
        serverPids: () => instances.map((i) => i.child.pid),
        users: (n, prefix) =>
          pool(
            Array.from({ length: n }, (_, i) => `${prefix}${i}`),
            32,
            async (userId) => {
              const r = await trpc<{ token: string; user: { id: string } }>(http, 'auth.devLogin', { displayName: userId, userId });
              return { userId: r.user.id, token: r.token };
            },
          ),
        room: async (owner, members) => {
          const c = await trpc<{ id: string }>(http, 'conversations.create', { memberIds: members.map((m) => m.userId).filter((id) => id !== owner.userId) }, owner.token);
          return c.id;
        },
        stop: stopAllParts,
      };
    }

    const script = join(BENCH_DIR, o.target === 'raw-ws' ? 'targets/raw-ws-server.ts' : 'targets/socketio-server.ts');
    const started = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const inst = await startInstance(`${label}-${i}`, script, {
          BENCH_SECRET: BASELINE_SECRET,
          ...(redis ? { REDIS_URL: redis.url } : {}),
          ...o.env,
        }, o.nodeArgs ?? []);
        stops.push(() => stopChild(inst.child, 3000));
        return inst;
      }),
    );
    instances.push(...started);
    return {
      target: o.target,
      label,
      instances,
      redis,
      db,
      serverPids: () => instances.map((i) => i.child.pid),
      users: async (n, prefix) => Array.from({ length: n }, (_, i) => ({ userId: `${prefix}${i}`, token: signToken(BASELINE_SECRET, `${prefix}${i}`) })),
      room: async () => `room-${randomBytes(6).toString('hex')}`,
      stop: stopAllParts,
    };
  } catch (error) {
    await stopAllParts();
    throw error;
  }
}
