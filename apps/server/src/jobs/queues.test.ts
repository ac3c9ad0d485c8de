import { describe, expect, it } from 'vitest';
import type { Logger } from '@parley/api';
import { useRedisServer } from '../../test/helpers/use-redis.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { RedisKeys } from '../keys.ts';
import { BullJobQueues } from './bullmq-queues.ts';
import { MemoryJobQueues } from './memory-queues.ts';
import { describeJobQueuesContract } from './queues.contract.ts';

const log: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const keys = new RedisKeys('test:');
const redis = useRedisServer({ flush: true });

describeJobQueuesContract('memory', async (options) => new MemoryJobQueues(options));
describeJobQueuesContract('bullmq', async (options) => new BullJobQueues({ ...options, url: redis.url, keys, log }));

describe('BullJobQueues', () => {
  it('keeps one sweep schedule however many instances start workers, and across restarts', async () => {
    let sweeps = 0;
    const handlers = { sweep: async () => void (sweeps += 1), notify: async () => {} };
    const instances = [0, 1, 2].map(() => new BullJobQueues({ notifyDelayMs: 100, sweepIntervalMs: 300, url: redis.url, keys, log }));
    for (const q of instances) await q.startWorker(handlers);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    // Three schedulers would give ~15 runs.
    expect(sweeps).toBeGreaterThanOrEqual(3);
    expect(sweeps).toBeLessThanOrEqual(7);
    await instances[0]!.close();
    const restarted = new BullJobQueues({ notifyDelayMs: 100, sweepIntervalMs: 300, url: redis.url, keys, log });
    await restarted.startWorker(handlers);
    const schedulers = await redis.admin.keys(`${keys.bullPrefix}:sweep:repeat:*`);
    expect(schedulers.filter((k) => !k.includes(':repeat:idle-session-sweep:')).length).toBeLessThanOrEqual(1);
    for (const q of [...instances.slice(1), restarted]) await q.close();
  });

  it('carries on after Redis restarts empty: jobs run again and the sweep is scheduled again', async () => {
    let sweeps = 0;
    const ran: string[] = [];
    const q = new BullJobQueues({ notifyDelayMs: 50, sweepIntervalMs: 200, rescheduleMs: 300, url: redis.url, keys, log });
    await q.startWorker({ sweep: async () => void (sweeps += 1), notify: async (job) => void ran.push(job.messageId) });
    await waitFor(() => sweeps >= 1, { timeoutMs: 5000 });
    await redis.server.restart();
    await waitFor(async () => {
      await q.enqueueNotify({ messageId: `m_${ran.length}_${Date.now()}`, conversationId: 'c', seq: 1 }).catch(() => {});
      return ran.length > 0;
    }, { timeoutMs: 20_000, intervalMs: 500 });
    const before = sweeps;
    await waitFor(() => sweeps >= before + 2, { timeoutMs: 10_000 });
    await q.close();
  });

  it('rejects at once while Redis is down instead of holding the caller', async () => {
    const q = new BullJobQueues({ notifyDelayMs: 100, sweepIntervalMs: 60_000, url: redis.url, keys, log });
    await q.counts();
    await redis.server.kill();
    const started = Date.now();
    await expect(q.enqueueNotify({ messageId: 'm_1', conversationId: 'c', seq: 1 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
    await redis.server.restart();
    await q.close();
  });
});
