/**
 * The job queues of Parley (BullMQ on Redis, or in memory for a single process). Producers (the
 * router, through `MessageJobs`) enqueue; workers, in the server process or in `pnpm worker`, run the
 * handlers. The queue owns retries, delays, dedupe by job id and the sweep's schedule; the handlers
 * own what a job does.
 */

/** The offline-notification job of one stored message. */
export interface NotifyJob {
  messageId: string;
  conversationId: string;
  seq: number;
}

export interface JobHandlers {
  /** The idle-session sweep, run every `sweepIntervalMs` by one worker of the cluster. */
  sweep(): Promise<void>;
  /** Throws to be retried with backoff; throws `PermanentJobError` to fail without retries. */
  notify(job: NotifyJob): Promise<void>;
}

/** A failure that retrying cannot fix (BullMQ's `UnrecoverableError`). */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

export type QueueName = 'sweep' | 'notify';

export interface QueueCounts {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

/** What a worker reports of each job it ran, for `/metrics`. */
export interface JobOutcome {
  queue: QueueName;
  durationMs: number;
  /** `retry`: failed, will run again; `failed`: failed for good. */
  result: 'completed' | 'retry' | 'failed';
  error?: unknown;
}

export interface JobQueueOptions {
  /** Wait before a notify job runs. */
  notifyDelayMs: number;
  sweepIntervalMs: number;
  /** Attempts of a notify job, the first included. @default 5 */
  notifyAttempts?: number;
  /** First retry delay; doubles each attempt. @default 1000 */
  backoffMs?: number;
  /**
   * Notify jobs run at once per worker; the rest wait their turn. Bounds what a burst of jobs (a large
   * group whose members just went offline) puts in front of live requests on the same store. @default 8
   */
  concurrency?: number;
}

export interface JobQueues {
  /** Enqueues the notify job of a message; a second call for the same message is ignored. */
  enqueueNotify(job: NotifyJob): Promise<void>;
  /** Runs jobs of both queues with `handlers` and (idempotently, cluster-wide) schedules the sweep. */
  startWorker(handlers: JobHandlers, onOutcome?: (outcome: JobOutcome) => void): Promise<void>;
  counts(): Promise<Record<QueueName, QueueCounts>>;
  close(): Promise<void>;
}

/** Job ids: the same message always gives the same id (BullMQ refuses `:` and integers in custom ids). */
export function notifyJobId(messageId: string): string {
  return `msg-${messageId}`;
}
