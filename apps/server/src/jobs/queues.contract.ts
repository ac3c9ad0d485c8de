import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { PermanentJobError, type JobHandlers, type JobOutcome, type JobQueueOptions, type JobQueues, type NotifyJob } from './queues.ts';

/**
 * What every job queue guarantees. `create` returns queues on a fresh backend (state from earlier
 * tests must not be visible); several calls in one test share the backend, like several instances.
 */
export function describeJobQueuesContract(name: string, create: (options: JobQueueOptions) => Promise<JobQueues>): void {
  describe(`JobQueues contract: ${name}`, () => {
    const open: JobQueues[] = [];
    const queues = async (options: Partial<JobQueueOptions> = {}) => {
      const q = await create({ notifyDelayMs: 300, sweepIntervalMs: 60_000, backoffMs: 100, notifyAttempts: 3, ...options });
      open.push(q);
      return q;
    };
    afterEach(async () => {
      for (const q of open.splice(0)) await q.close();
    });
    const job = (n: number): NotifyJob => ({ messageId: `m_${n}`, conversationId: 'c_1', seq: n });
    const recorder = (notify: JobHandlers['notify'] = async () => {}) => {
      const runs: Array<{ job: NotifyJob; at: number }> = [];
      const outcomes: JobOutcome[] = [];
      const handlers: JobHandlers = {
        sweep: async () => {},
        notify: async (j) => {
          runs.push({ job: j, at: Date.now() });
          await notify(j);
        },
      };
      // The sweep may run as soon as a worker starts: only notify outcomes count here.
      return { runs, outcomes, handlers, onOutcome: (o: JobOutcome) => void (o.queue === 'notify' && outcomes.push(o)) };
    };

    it('runs a notify job once, after the delay, even when enqueued twice', async () => {
      const q = await queues();
      const r = recorder();
      await q.startWorker(r.handlers, r.onOutcome);
      const enqueuedAt = Date.now();
      await q.enqueueNotify(job(1));
      await q.enqueueNotify(job(1));
      await q.enqueueNotify(job(2));
      await waitFor(() => r.runs.length >= 2, { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(r.runs.map((x) => x.job.messageId).sort()).toEqual(['m_1', 'm_2']);
      expect(r.runs[0]!.job).toEqual(job(r.runs[0]!.job.seq));
      // Timers fire a little early or late; 300 ms minus a scheduling margin.
      for (const run of r.runs) expect(run.at - enqueuedAt).toBeGreaterThanOrEqual(250);
      expect(r.outcomes.filter((o) => o.result === 'completed')).toHaveLength(2);
    });

    it('retries a failing job with growing backoff until it succeeds', async () => {
      const q = await queues();
      let calls = 0;
      const r = recorder(async () => {
        calls += 1;
        if (calls < 3) throw new Error('receiver down');
      });
      await q.startWorker(r.handlers, r.onOutcome);
      await q.enqueueNotify(job(1));
      await waitFor(() => r.outcomes.some((o) => o.result === 'completed'), { timeoutMs: 10_000 });
      expect(r.runs).toHaveLength(3);
      expect(r.outcomes.map((o) => o.result)).toEqual(['retry', 'retry', 'completed']);
      const gap1 = r.runs[1]!.at - r.runs[0]!.at;
      const gap2 = r.runs[2]!.at - r.runs[1]!.at;
      expect(gap1).toBeGreaterThanOrEqual(80);
      expect(gap2).toBeGreaterThanOrEqual(180);
    });

    it('gives up after the last attempt', async () => {
      const q = await queues();
      const r = recorder(async () => {
        throw new Error('still down');
      });
      await q.startWorker(r.handlers, r.onOutcome);
      await q.enqueueNotify(job(1));
      await waitFor(() => r.outcomes.some((o) => o.result === 'failed'), { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(r.runs).toHaveLength(3);
      expect(r.outcomes.map((o) => o.result)).toEqual(['retry', 'retry', 'failed']);
      await waitFor(async () => (await q.counts()).notify.failed === 1, { timeoutMs: 5000 });
    });

    it('ends a job that fails permanently without retrying it', async () => {
      const q = await queues();
      const r = recorder(async () => {
        throw new PermanentJobError('message gone');
      });
      await q.startWorker(r.handlers, r.onOutcome);
      await q.enqueueNotify(job(1));
      await waitFor(() => r.outcomes.length === 1, { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(r.runs).toHaveLength(1);
      expect(r.outcomes[0]!.result).toBe('failed');
    });

    it('holds jobs enqueued before a worker starts, and counts them as waiting or delayed', async () => {
      const producer = await queues({ notifyDelayMs: 200 });
      await producer.enqueueNotify(job(1));
      const counts = await producer.counts();
      expect(counts.notify.waiting + counts.notify.delayed).toBe(1);
      const worker = await queues({ notifyDelayMs: 200 });
      const r = recorder();
      await worker.startWorker(r.handlers, r.onOutcome);
      // In memory the producer is its own worker; on Redis any worker of the cluster takes it.
      await producer.startWorker(r.handlers, r.onOutcome);
      await waitFor(() => r.runs.length === 1, { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(r.runs).toHaveLength(1);
    });

    it('runs at most `concurrency` notify jobs at once, the rest when a slot frees, and counts them as waiting', async () => {
      const q = await queues({ notifyDelayMs: 50, concurrency: 2 });
      let active = 0;
      let most = 0;
      const gates: Array<() => void> = [];
      const r = recorder(async () => {
        active += 1;
        most = Math.max(most, active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active -= 1;
      });
      await q.startWorker(r.handlers, r.onOutcome);
      for (let n = 1; n <= 5; n += 1) await q.enqueueNotify(job(n));
      await waitFor(() => r.runs.length === 2, { timeoutMs: 10_000 });
      await waitFor(async () => (await q.counts()).notify.waiting === 3, { timeoutMs: 10_000 });
      expect(r.runs).toHaveLength(2);
      // Release one job at a time: each frees a slot for exactly one waiting job.
      for (let released = 1; released <= 5; released += 1) {
        await waitFor(() => gates.length > 0, { timeoutMs: 10_000 });
        gates.shift()!();
        await waitFor(() => r.outcomes.length === released, { timeoutMs: 10_000 });
      }
      expect(r.runs.map((x) => x.job.messageId).sort()).toEqual(['m_1', 'm_2', 'm_3', 'm_4', 'm_5']);
      expect(most).toBe(2);
    });

    it('runs the sweep every interval', async () => {
      const q = await queues({ sweepIntervalMs: 250 });
      let sweeps = 0;
      await q.startWorker({ sweep: async () => void (sweeps += 1), notify: async () => {} });
      await new Promise((resolve) => setTimeout(resolve, 1400));
      expect(sweeps).toBeGreaterThanOrEqual(3);
      expect(sweeps).toBeLessThanOrEqual(7);
    });
  });
}
