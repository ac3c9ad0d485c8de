import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStore } from '@parley/db';
import { createAuth } from './auth/create-auth.ts';
import { instanceIdFrom, jobQueueOptionsFrom, notifierConfigFrom, storeConfigFrom } from './config.ts';
import { readEnv } from './env.ts';
import { healthHandler } from './http/health.ts';
import { JobMetrics } from './jobs/metrics.ts';
import { startJobWorkers } from './jobs/workers.ts';
import { createLogger } from './log.ts';
import { Node } from './node.ts';
import { createNotifier } from './notify/create-notifier.ts';
import { createRedisRoles } from './redis-roles.ts';
import { closeOnSignals, runMain } from './lifecycle.ts';

// Wiring only: `pnpm worker`, the job workers without a server (run servers with WORKERS=0 then).
async function main(): Promise<void> {
  const env = readEnv();
  if (env.REDIS_URL === 'memory://') {
    process.stderr.write('pnpm worker needs Redis (REDIS_URL): with REDIS_URL=memory:// the server runs its own workers.\n');
    process.exit(2);
  }
  const instanceId = `worker-${instanceIdFrom(env)}`;
  const log = createLogger({ level: env.LOG_LEVEL, instanceId });
  const store = await createStore(storeConfigFrom(env));
  const roles = await createRedisRoles({ url: env.REDIS_URL, instanceId, log });
  const auth = await createAuth(env, log);
  const queues = roles.jobQueues(jobQueueOptionsFrom(env));
  const metrics = new JobMetrics();
  const notifier = createNotifier(notifierConfigFrom(env), { store, log });
  await startJobWorkers({
    queues,
    store,
    realtime: new Node({ instanceId, broker: roles.broker, log }),
    auth,
    connectionCounts: (ids) => roles.connectionCounts!(ids),
    ledger: roles.ledger,
    notifier,
    idleTimeoutMs: env.SESSION_IDLE_TIMEOUT_MS,
    metrics,
    log,
  });

  const health = healthHandler({ store, redisHealthy: roles.healthy, metrics: () => metrics.render(queues) });
  const http = createServer((req, res) => {
    void health(req, res, (req.url ?? '/').split('?')[0] ?? '/').then((handled) => {
      if (handled) return;
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(env.WORKER_PORT, env.HOST, resolve));
  process.stdout.write(`worker listening on ${(http.address() as AddressInfo).port}\n`);

  closeOnSignals(log, async () => {
    http.close();
    await queues.close();
    await notifier.close?.();
    await roles.close();
    await auth.close?.();
    await store.close();
  });
}

runMain('parley worker', main);
