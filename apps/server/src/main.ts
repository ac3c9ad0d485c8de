import { createStore } from '@parley/db';
import { createAuth } from './auth/create-auth.ts';
import { startServer } from './app.ts';
import { apiConfigFrom, instanceIdFrom, jobQueueOptionsFrom, notifierConfigFrom, storeConfigFrom } from './config.ts';
import { readEnv } from './env.ts';
import { QueuedMessageJobs } from './jobs/message-jobs.ts';
import { JobMetrics } from './jobs/metrics.ts';
import { startJobWorkers } from './jobs/workers.ts';
import { createLogger } from './log.ts';
import { createNotifier } from './notify/create-notifier.ts';
import { createMemoryRoles } from './roles.ts';
import { createRedisRoles } from './redis-roles.ts';
import { closeOnSignals, runMain } from './lifecycle.ts';

// Wiring only: environment → store → roles → server (→ job workers unless WORKERS=0).
async function main(): Promise<void> {
  const env = readEnv();
  const instanceId = instanceIdFrom(env);
  const log = createLogger({ level: env.LOG_LEVEL, instanceId });
  const store = await createStore(storeConfigFrom(env));
  const roles = env.REDIS_URL === 'memory://'
    ? createMemoryRoles({ instanceId, typingTimeoutMs: env.TYPING_TIMEOUT_MS })
    : await createRedisRoles({ url: env.REDIS_URL, instanceId, log, presenceTtlMs: env.PRESENCE_TTL_MS, typingTimeoutMs: env.TYPING_TIMEOUT_MS });
  const auth = await createAuth(env, log);
  const queues = roles.jobQueues(jobQueueOptionsFrom(env));
  const metrics = new JobMetrics();
  const server = await startServer({
    port: env.PORT,
    host: env.HOST,
    instanceId,
    store,
    roles,
    auth,
    config: apiConfigFrom(env),
    jobs: new QueuedMessageJobs({ queues, log }),
    extraMetrics: () => metrics.render(queues),
    pongWaitMs: env.PONG_WAIT_MS,
    maxPayloadBytes: env.MAX_PAYLOAD_BYTES,
    log,
  });
  const notifier = env.WORKERS === '1' ? createNotifier(notifierConfigFrom(env), { store, log }) : null;
  if (notifier) {
    await startJobWorkers({
      queues,
      store,
      realtime: server.node,
      auth,
      connectionCounts: roles.connectionCounts ?? ((ids) => server.deps.presence.connectionCounts(ids)),
      ledger: roles.ledger,
      notifier,
      idleTimeoutMs: env.SESSION_IDLE_TIMEOUT_MS,
      metrics,
      log,
    });
  }
  process.stdout.write(`listening on ${server.port}\n`);

  closeOnSignals(log, async () => {
    await server.close();
    await queues.close();
    await notifier?.close?.();
    await roles.close();
    await auth.close?.();
    await store.close();
  });
}

runMain('parley', main);
