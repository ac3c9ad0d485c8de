import { createLogger } from '../../src/log.ts';
import { createRedisRoles } from '../../src/redis-roles.ts';
import type { RoleSet } from '../../src/roles.ts';

/** Redis roles for an in-process instance of a test cluster (one Redis, one shared store). */
export function redisRoles(url: string, instanceId: string, options: { presenceTtlMs?: number } = {}): Promise<RoleSet> {
  return createRedisRoles({
    url,
    instanceId,
    log: createLogger({ level: process.env.TEST_LOG === '1' ? 'info' : 'silent', instanceId }),
    ...options,
  });
}
