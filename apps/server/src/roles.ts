import type { PresenceManager, RateLimiter, TypingTracker } from '@parley/api';
import type { Broker } from './broker/broker.ts';
import { MemoryBroker, type MemoryBus } from './broker/memory-broker.ts';
import { MemoryLimiter } from './limits/memory-limiter.ts';
import { MemoryPresence } from './presence/memory-presence.ts';
import { MemoryTyping } from './presence/memory-typing.ts';
import { MemoryLedger, type DeliveryLedger } from './jobs/ledger.ts';
import { MemoryJobQueues } from './jobs/memory-queues.ts';
import type { JobQueueOptions, JobQueues } from './jobs/queues.ts';

export interface Closable {
  close(): Promise<void> | void;
}

/**
 * The shared-state roles of one instance, in memory (one process) or on Redis (a cluster). Presence
 * and typing report back through callbacks, so they are built once the node exists.
 */
export interface RoleSet {
  broker: Broker;
  limiter: RateLimiter;
  presence(onLost: (userIds: string[]) => void): Promise<PresenceManager & Partial<Closable>>;
  typing(onExpire: (conversationId: string, userId: string) => void): TypingTracker & Partial<Closable>;
  jobQueues(options: JobQueueOptions & { lockDurationMs?: number }): JobQueues;
  ledger: DeliveryLedger;
  /**
   * Live connections per user read from the shared state, throwing when it cannot be read. Absent in
   * memory, where the instance's own presence is the whole truth.
   */
  connectionCounts?(userIds: string[]): Promise<Map<string, number>>;
  /** null when there is no Redis. */
  healthy(): boolean | null;
  close(): Promise<void>;
}

export function createMemoryRoles(options: { instanceId: string; bus?: MemoryBus; typingTimeoutMs?: number }): RoleSet {
  const broker = new MemoryBroker(options.bus);
  return {
    broker,
    limiter: new MemoryLimiter(),
    presence: async () => new MemoryPresence({ instanceId: options.instanceId }),
    typing: (onExpire) => new MemoryTyping({ onExpire, ...(options.typingTimeoutMs ? { timeoutMs: options.typingTimeoutMs } : {}) }),
    jobQueues: (jobOptions) => new MemoryJobQueues(jobOptions),
    ledger: new MemoryLedger(),
    healthy: () => null,
    close: () => broker.close(),
  };
}
