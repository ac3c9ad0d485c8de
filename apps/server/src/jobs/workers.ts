import type { Authenticator, Logger, Realtime } from '@parley/api';
import type { Store } from '@parley/db';
import type { Notifier } from '../notify/notifier.ts';
import type { DeliveryLedger } from './ledger.ts';
import type { JobMetrics } from './metrics.ts';
import { notifyOfflineMembers } from './offline-notify.ts';
import type { JobQueues } from './queues.ts';
import { sweepIdleSessions } from './sweep.ts';

export interface JobWorkerOptions {
  queues: JobQueues;
  store: Store;
  /** Where `session.end` goes, so every instance closes the timed-out session's sockets. */
  realtime: Realtime;
  auth: Authenticator;
  connectionCounts(userIds: string[]): Promise<Map<string, number>>;
  ledger: DeliveryLedger;
  notifier: Notifier;
  idleTimeoutMs: number;
  metrics: JobMetrics;
  log: Logger;
}

/** Starts this process's workers for both queues (in the server, or alone in `pnpm worker`). */
export async function startJobWorkers(options: JobWorkerOptions): Promise<void> {
  const { queues, store, realtime, auth, ledger, notifier, idleTimeoutMs, metrics, log } = options;
  await queues.startWorker(
    {
      sweep: async () => {
        await sweepIdleSessions({ store, realtime, auth, idleTimeoutMs, log });
      },
      notify: async (job) => {
        await notifyOfflineMembers({ store, connectionCounts: (ids) => options.connectionCounts(ids), ledger, notifier, log }, job);
      },
    },
    (outcome) => {
      metrics.record(outcome);
      if (outcome.result !== 'completed') {
        log.warn(outcome.result === 'retry' ? 'job failed, will retry' : 'job failed for good', {
          queue: outcome.queue,
          error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
        });
      }
    },
  );
}
