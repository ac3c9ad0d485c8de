import type { ApiConfig } from '@parley/api';
import { createStore, type Store } from '@parley/db';
import { createJwtAuth } from '../../src/auth/jwt-auth.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';
import { createMemoryRoles, type RoleSet } from '../../src/roles.ts';
import { QueuedMessageJobs } from '../../src/jobs/message-jobs.ts';
import { JobMetrics } from '../../src/jobs/metrics.ts';
import type { JobQueues } from '../../src/jobs/queues.ts';
import { startJobWorkers } from '../../src/jobs/workers.ts';
import type { Notifier } from '../../src/notify/notifier.ts';
import { OutboxNotifier } from '../../src/notify/outbox-notifier.ts';

export const TEST_SERVICE_TOKEN = 'service-token-for-tests-0123456789';
export const TEST_JWT_SECRET = 'jwt-secret-for-tests-0123456789abcdef';

export interface TestServerOptions {
  config?: Partial<ApiConfig>;
  store?: Store;
  roles?: RoleSet;
  mode?: 'dev' | 'jwt';
  instanceId?: string;
  typingTimeoutMs?: number;
  pongWaitMs?: number;
  maxPayloadBytes?: number;
  maxBufferedBytes?: number;
  /** @default 0 (a free port) */
  port?: number;
  /** Job queue timings (defaults: the production ones). */
  jobs?: { notifyDelayMs?: number; sweepIntervalMs?: number; lockDurationMs?: number; backoffMs?: number };
  /** Runs the job workers in this server, like `WORKERS=1`; off by default. */
  workers?: { notifier?: Notifier };
}

export interface TestServer extends RunningServer {
  store: Store;
  queues: JobQueues;
  metrics: JobMetrics;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The real server (same composition as `main.ts`) on a free loopback port, with an in-memory PGlite. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const ownStore = !options.store;
  const store = options.store ?? (await createStore({ kind: 'pglite', dataDir: 'memory://' }));
  const instanceId = options.instanceId ?? `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const roles = options.roles ?? createMemoryRoles({ instanceId, ...(options.typingTimeoutMs ? { typingTimeoutMs: options.typingTimeoutMs } : {}) });
  const config: ApiConfig = {
    serviceToken: TEST_SERVICE_TOKEN,
    limits: { send: { perSecond: 1000, burst: 1000 }, typing: { perSecond: 1000, burst: 1000 } },
    pingIntervalMs: 30_000,
    sessionIdleTimeoutMs: 10_800_000,
    ...options.config,
  };
  const queues = roles.jobQueues({ notifyDelayMs: 5000, sweepIntervalMs: 60_000, ...options.jobs });
  const metrics = new JobMetrics();
  const log = createLogger({ level: process.env.TEST_LOG === '1' ? 'info' : 'silent', instanceId });
  const serverOptions: ServerOptions = {
    port: options.port ?? 0,
    host: '127.0.0.1',
    instanceId,
    store,
    roles,
    auth: await createJwtAuth({ mode: options.mode ?? 'dev', secret: TEST_JWT_SECRET }),
    config,
    log,
    jobs: new QueuedMessageJobs({ queues, log }),
    extraMetrics: () => metrics.render(queues),
    ...(options.pongWaitMs !== undefined ? { pongWaitMs: options.pongWaitMs } : {}),
    ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    ...(options.maxBufferedBytes !== undefined ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
  };
  const server = await startServer(serverOptions);
  if (options.workers) {
    await startJobWorkers({
      queues,
      store,
      realtime: server.node,
      auth: serverOptions.auth,
      connectionCounts: roles.connectionCounts ?? ((ids) => server.deps.presence.connectionCounts(ids)),
      ledger: roles.ledger,
      notifier: options.workers.notifier ?? new OutboxNotifier({ store }),
      idleTimeoutMs: config.sessionIdleTimeoutMs,
      metrics,
      log,
    });
  }
  const close = async () => {
    await server.close();
    await queues.close();
    if (!options.roles) await roles.close();
    if (ownStore) await store.close();
  };
  return { ...server, store, queues, metrics, close, [Symbol.asyncDispose]: close };
}
