import { Redis, type RedisOptions } from 'ioredis';

/**
 * A connection for the shared-state roles, tuned to fail fast: while Redis is unreachable a command
 * rejects at once (no offline queue) or at the next failed retry (in flight), never waits for
 * Redis to return. Callers choose what a failure means (drop, fail open, degrade).
 */
export function createRedisClient(url: string, name: string, overrides: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    connectionName: `parley:${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    connectTimeout: 5000,
    // A stalled server (SIGSTOP, a full network buffer) fails like a down one.
    commandTimeout: 2000,
    ...overrides,
  });
  // ioredis prints every failed reconnect unless someone listens; owners log link changes instead.
  client.on('error', () => {});
  return client;
}

/** A Lua script on `redis`, sent by SHA once the server knows it (ioredis `defineCommand`). */
export function defineScript<T>(redis: Redis, name: string, numberOfKeys: number, lua: string): Script<T> {
  redis.defineCommand(name, { numberOfKeys, lua });
  const commands = redis as unknown as Record<string, Script<T>>;
  return (...keysThenArgs) => commands[name]!(...keysThenArgs);
}

/** Called with the keys first, then the arguments. */
export type Script<T> = (...keysThenArgs: Array<string | number>) => Promise<T>;

/** Waits for `redis` to be ready, at most `ms`; false when it was not. */
export async function whenReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    redis.on('ready', onReady);
  });
}

/** Ends a connection we own: QUIT when it answers, a hard disconnect otherwise or after `ms`. */
export async function quitRedis(redis: Redis, ms = 1000): Promise<void> {
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([redis.quit().catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
  redis.disconnect();
}
