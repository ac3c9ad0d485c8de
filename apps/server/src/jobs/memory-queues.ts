import { ExpiringMap } from './expiring-map.ts';
import { PermanentJobError, notifyJobId, type JobHandlers, type JobOutcome, type JobQueueOptions, type JobQueues, type NotifyJob, type QueueCounts, type QueueName } from './queues.ts';

/** How long a finished job's id keeps a repeat from running (BullMQ keeps completed jobs as long). */
const DEDUPE_MS = 24 * 3600_000;

/**
 * Job queues inside one process (`REDIS_URL=memory://`): the same delays, retries, backoff and dedupe
 * as the BullMQ queues, with timers. Jobs do not survive a restart.
 */
export class MemoryJobQueues implements JobQueues {
  readonly #options: Required<JobQueueOptions>;
  /** Ids of jobs enqueued within the dedupe window. */
  readonly #seen = new ExpiringMap<true>(DEDUPE_MS);
  readonly #pending: NotifyJob[] = [];
  /** Due notify attempts waiting for a free slot, oldest first. */
  readonly #ready: Array<() => void> = [];
  #running = 0;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #counts: Record<QueueName, QueueCounts> = {
    sweep: { waiting: 0, delayed: 0, active: 0, failed: 0 },
    notify: { waiting: 0, delayed: 0, active: 0, failed: 0 },
  };
  #handlers: JobHandlers | undefined;
  #onOutcome: (outcome: JobOutcome) => void = () => {};
  #closed = false;

  constructor(options: JobQueueOptions) {
    this.#options = { notifyAttempts: 5, backoffMs: 1000, concurrency: 8, ...options };
  }

  async enqueueNotify(job: NotifyJob): Promise<void> {
    const id = notifyJobId(job.messageId);
    if (this.#seen.get(id) || this.#closed) return;
    this.#seen.set(id, true);
    if (this.#handlers) this.#schedule(job, 1, this.#options.notifyDelayMs);
    else this.#pending.push(job);
  }

  async startWorker(handlers: JobHandlers, onOutcome?: (outcome: JobOutcome) => void): Promise<void> {
    if (this.#handlers || this.#closed) return;
    this.#handlers = handlers;
    if (onOutcome) this.#onOutcome = onOutcome;
    for (const job of this.#pending.splice(0)) this.#schedule(job, 1, this.#options.notifyDelayMs);
    const sweep = setInterval(() => void this.#run('sweep', 1, () => handlers.sweep()), this.#options.sweepIntervalMs);
    sweep.unref();
    this.#timers.add(sweep);
  }

  async counts(): Promise<Record<QueueName, QueueCounts>> {
    return {
      sweep: { ...this.#counts.sweep },
      notify: { ...this.#counts.notify, waiting: this.#pending.length + this.#counts.notify.waiting },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #schedule(job: NotifyJob, attempt: number, delayMs: number): void {
    const counts = this.#counts.notify;
    counts.delayed += 1;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      counts.delayed -= 1;
      counts.waiting += 1;
      this.#ready.push(() => {
        counts.waiting -= 1;
        this.#running += 1;
        void this.#run('notify', attempt, () => this.#handlers!.notify(job)).then((retry) => {
          this.#running -= 1;
          if (retry) this.#schedule(job, attempt + 1, this.#options.backoffMs * 2 ** (attempt - 1));
          this.#next();
        });
      });
      this.#next();
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  #next(): void {
    while (!this.#closed && this.#running < this.#options.concurrency && this.#ready.length) this.#ready.shift()!();
  }

  /** Runs one attempt; true when it should run again. */
  async #run(queue: QueueName, attempt: number, work: () => Promise<void>): Promise<boolean> {
    if (this.#closed) return false;
    const counts = this.#counts[queue];
    const started = performance.now();
    counts.active += 1;
    try {
      await work();
      this.#onOutcome({ queue, durationMs: performance.now() - started, result: 'completed' });
      return false;
    } catch (error) {
      const retry = queue === 'notify' && !(error instanceof PermanentJobError) && attempt < this.#options.notifyAttempts;
      if (!retry) counts.failed += 1;
      this.#onOutcome({ queue, durationMs: performance.now() - started, result: retry ? 'retry' : 'failed', error });
      return retry && !this.#closed;
    } finally {
      counts.active -= 1;
    }
  }
}
