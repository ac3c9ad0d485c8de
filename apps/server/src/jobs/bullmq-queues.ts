import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '@parley/api';
import type { RedisKeys } from '../keys.ts';
import { PermanentJobError, notifyJobId, type JobHandlers, type JobOutcome, type JobQueueOptions, type JobQueues, type NotifyJob, type QueueCounts, type QueueName } from './queues.ts';

/** The sweep's scheduler id: fixed, so restarts and every instance upsert the same one. */
const SWEEP_SCHEDULER_ID = 'idle-session-sweep';
const LOG_EVERY_MS = 30_000;
const CLOSE_WITHIN_MS = 3000;

export interface BullJobQueuesOptions extends JobQueueOptions {
  url: string;
  keys: RedisKeys;
  log: Logger;
  /** A job whose worker stops renewing its lock (a crash) runs again after this. @default 30000 */
  lockDurationMs?: number;
  /** How often the sweep schedule is written again (a Redis restarted empty forgets it). @default 30000 */
  rescheduleMs?: number;
}

/**
 * The job queues on BullMQ. Producers fail fast while Redis is down (the message is stored; its
 * notification is lost and logged), workers wait for Redis and resume by themselves.
 */
export class BullJobQueues implements JobQueues {
  readonly #options: BullJobQueuesOptions & Required<JobQueueOptions>;
  readonly #queues: Record<QueueName, Queue>;
  readonly #workers: Worker[] = [];
  readonly #lastLogged = new Map<string, number>();
  #reschedule: NodeJS.Timeout | undefined;

  constructor(options: BullJobQueuesOptions) {
    this.#options = { notifyAttempts: 5, backoffMs: 1000, concurrency: 8, ...options };
    // No offline queue: an enqueue while Redis is down rejects at once instead of holding chat.send.
    const connection = { url: options.url, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'parley:jobs' };
    const prefix = options.keys.bullPrefix;
    this.#queues = {
      sweep: new Queue('sweep', { connection, prefix }),
      notify: new Queue('notify', { connection, prefix }),
    };
    for (const [name, queue] of Object.entries(this.#queues)) queue.on('error', (error) => this.#warn(`queue ${name}`, error));
  }

  async enqueueNotify(job: NotifyJob): Promise<void> {
    const { notifyDelayMs, notifyAttempts, backoffMs } = this.#options;
    await this.#queues.notify.add('notify', job, {
      jobId: notifyJobId(job.messageId),
      delay: notifyDelayMs,
      attempts: notifyAttempts,
      backoff: { type: 'exponential', delay: backoffMs },
      // Kept a day, so a repeat of the same message within it is ignored by job id.
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async startWorker(handlers: JobHandlers, onOutcome: (outcome: JobOutcome) => void = () => {}): Promise<void> {
    if (this.#workers.length > 0) return;
    const { url, keys, lockDurationMs = 30_000, concurrency } = this.#options;
    const connection = { url, maxRetriesPerRequest: null, connectionName: 'parley:worker' };
    const common = { connection, prefix: keys.bullPrefix, lockDuration: lockDurationMs, stalledInterval: lockDurationMs };
    const run = (queue: QueueName, work: (job: Job) => Promise<void>) => async (job: Job) => {
      const started = performance.now();
      try {
        await work(job);
        onOutcome({ queue, durationMs: performance.now() - started, result: 'completed' });
      } catch (error) {
        const permanent = error instanceof PermanentJobError;
        const last = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        onOutcome({ queue, durationMs: performance.now() - started, result: last ? 'failed' : 'retry', error });
        throw permanent ? new UnrecoverableError(error.message) : error;
      }
    };
    this.#workers.push(
      new Worker('sweep', run('sweep', () => handlers.sweep()), { ...common, concurrency: 1 }),
      new Worker('notify', run('notify', (job) => handlers.notify(job.data as NotifyJob)), { ...common, concurrency }),
    );
    for (const worker of this.#workers) worker.on('error', (error) => this.#warn(`worker ${worker.name}`, error));
    await this.#scheduleSweep();
    // A Redis restarted without persistence forgets the schedule: upsert it again now and then.
    this.#reschedule = setInterval(() => void this.#scheduleSweep().catch((error: unknown) => this.#warn('sweep scheduler', error)), this.#options.rescheduleMs ?? 30_000);
    this.#reschedule.unref();
  }

  #scheduleSweep(): Promise<unknown> {
    return this.#queues.sweep.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: this.#options.sweepIntervalMs }, {
      name: 'sweep',
      opts: { removeOnComplete: 100, removeOnFail: 100 },
    });
  }

  async counts(): Promise<Record<QueueName, QueueCounts>> {
    const read = async (queue: Queue): Promise<QueueCounts> => {
      const c = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
      return { waiting: c.waiting ?? 0, delayed: c.delayed ?? 0, active: c.active ?? 0, failed: c.failed ?? 0 };
    };
    const [sweep, notify] = await Promise.all([read(this.#queues.sweep), read(this.#queues.notify)]);
    return { sweep, notify };
  }

  async close(): Promise<void> {
    clearInterval(this.#reschedule);
    // BullMQ's close() can wait forever on a connection stuck reconnecting (a Redis that went away or
    // came back mid-wait, taskforcesh/bullmq#4656): give it a bound, then drop the connections.
    const closeWithin = async (client: Queue | Worker): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      const closed = client.close().then(() => true, () => true);
      const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_WITHIN_MS)));
      const done = await Promise.race([closed, late]);
      clearTimeout(timer);
      if (!done) await client.disconnect().catch(() => {});
    };
    await Promise.all(this.#workers.map(closeWithin));
    await Promise.all(Object.values(this.#queues).map(closeWithin));
  }

  /** Redis outages make every client report each retry: one line per source every 30 s. */
  #warn(source: string, error: unknown): void {
    const now = Date.now();
    if (now - (this.#lastLogged.get(source) ?? 0) < LOG_EVERY_MS) return;
    this.#lastLogged.set(source, now);
    this.#options.log.warn('job queue error', { source, error: String(error) });
  }
}
