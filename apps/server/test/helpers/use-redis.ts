import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startRedisServer, type RedisServerHandle } from './redis-server.ts';

export interface UsedRedis {
  readonly server: RedisServerHandle;
  readonly url: string;
  /** A plain client for the test's own reads and writes; it reconnects after a restart. */
  readonly admin: Redis;
}

/**
 * A private redis-server for one test file: started before its tests, stopped after them;
 * `flush` empties it before each test.
 */
export function useRedisServer(options: { flush?: boolean } = {}): UsedRedis {
  let server: RedisServerHandle | undefined;
  let admin: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    // Tests kill and restart the server: the client reconnects by itself, quietly.
    admin.on('error', () => {});
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });
  if (options.flush) {
    beforeEach(async () => {
      if (admin?.status === 'ready') await admin.flushall();
    });
  }
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useRedisServer: read it inside a test or hook, once the server started');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get url() {
      return started(server).url;
    },
    get admin() {
      return started(admin);
    },
  };
}
