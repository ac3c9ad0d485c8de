import type { Logger } from '@parley/api';
import { RedisBroker } from './broker/redis-broker.ts';
import { RedisKeys } from './keys.ts';
import { RedisLimiter } from './limits/redis-limiter.ts';
import { countConnections, RedisPresence } from './presence/redis-presence.ts';
import { BullJobQueues } from './jobs/bullmq-queues.ts';
import { RedisLedger } from './jobs/redis-ledger.ts';
import { RedisTyping } from './presence/redis-typing.ts';
import { createRedisClient, quitRedis, whenReady } from './redis-client.ts';
import type { RoleSet } from './roles.ts';

export class RedisUnreachableError extends Error {
  override readonly name = 'RedisUnreachableError';
}

export interface RedisRolesOptions {
  url: string;
  instanceId: string;
  log: Logger;
  /** How long to wait for Redis at start before giving up. @default 3000 */
  connectTimeoutMs?: number;
  /** Presence entries of a dead instance vanish after this. @default 30000 */
  presenceTtlMs?: number;
  /** @default 6000 */
  typingTimeoutMs?: number;
  keyPrefix?: string;
}

/**
 * The cluster roles on one Redis. Refuses to start without Redis (a cluster that silently ran on
 * in-memory roles would split-brain); once started, each role degrades on its own while Redis is down.
 */
export async function createRedisRoles(options: RedisRolesOptions): Promise<RoleSet> {
  const shared = createRedisClient(options.url, 'roles');
  if (!(await whenReady(shared, options.connectTimeoutMs ?? 3000))) {
    await quitRedis(shared);
    throw new RedisUnreachableError(
      `no Redis answers at REDIS_URL=${options.url}. Start one (e.g. \`redis-server --save "" --appendonly no\`), ` +
        'point REDIS_URL at yours, use `pnpm dev` (it starts its own), or REDIS_URL=memory:// for a single in-process instance.',
    );
  }
  const keys = new RedisKeys(options.keyPrefix);
  const { log, instanceId } = options;
  const broker = new RedisBroker({ url: options.url, keys, log });
  const limiter = new RedisLimiter({ redis: shared, keys, log });
  return {
    broker,
    limiter,
    async presence(onLost) {
      const presence = new RedisPresence({ redis: shared, keys, instanceId, onLost, log, ...(options.presenceTtlMs ? { ttlMs: options.presenceTtlMs } : {}) });
      await presence.start();
      return presence;
    },
    typing: (onExpire) =>
      new RedisTyping({ redis: shared, keys, instanceId, log, onExpire, ...(options.typingTimeoutMs ? { timeoutMs: options.typingTimeoutMs } : {}) }),
    jobQueues: (jobOptions) => new BullJobQueues({ ...jobOptions, url: options.url, keys, log }),
    ledger: new RedisLedger({ redis: shared, keys }),
    connectionCounts: (userIds) => countConnections(shared, keys, userIds),
    healthy: () => broker.healthy,
    async close() {
      await broker.close();
      await limiter.close();
      await quitRedis(shared);
    },
  };
}
