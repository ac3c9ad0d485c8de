import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../helpers/client.ts';
import { startInstance, type InstanceHandle } from '../helpers/instance.ts';
import { freshDatabase, postgresReachable, type TestDatabase } from '../helpers/postgres.ts';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.ts';
import { useScope } from '../helpers/scope.ts';
import { TEST_JWT_SECRET } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

// A server and `pnpm worker` processes share one store: the machine's Postgres.
const pgUp = await postgresReachable();
const scope = useScope();
let redis: RedisServerHandle;
let db: TestDatabase;
beforeAll(async () => {
  if (!pgUp) return;
  redis = await startRedisServer();
  db = await freshDatabase();
});
afterAll(async () => {
  await redis?.stop();
  await db?.drop();
});

async function completedNotifyJobs(worker: InstanceHandle): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  return Number(/^parley_jobs_completed_total\{queue="notify"\} (\S+)$/m.exec(text)?.[1] ?? NaN);
}

describe.runIf(pgUp)('pnpm worker, killed mid-job', () => {
  it('the job is picked up again by another worker (stalled-job recovery) and nothing is sent twice', async () => {
    // The first two POSTs never get an answer: the worker is killed while they are in flight.
    const receiver = await startWebhookReceiver((_hook, n) => (n < 2 ? 'hang' : 200));
    scope.defer(() => receiver.close());
    const env = {
      STORE: 'postgres',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      AUTH_MODE: 'dev',
      JWT_SECRET: TEST_JWT_SECRET,
      NOTIFY_DELAY_MS: '300',
      NOTIFIER: 'webhook',
      NOTIFY_WEBHOOK_URL: receiver.url,
      NOTIFY_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123',
      JOB_LOCK_MS: '1500',
    };
    const server = await startInstance({ ...env, WORKERS: '0' });
    scope.defer(() => void server.stop());
    const first = await startInstance(env, { script: 'src/worker-main.ts' });
    scope.defer(() => void first.stop());

    const api = httpClient(server.url, null);
    const [ann, carol, dave] = await Promise.all(['Ann', 'Carol', 'Dave'].map((displayName) => api.auth.devLogin.mutate({ displayName })));
    const annApi = httpClient(server.url, ann!.token);
    const conv = await annApi.conversations.create.mutate({ memberIds: [carol!.user.id, dave!.user.id] });
    const message = await annApi.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'k1', text: 'anyone?' });

    await waitFor(() => receiver.received.length >= 2, { timeoutMs: 20_000 });
    await first.crash();
    const second = await startInstance(env, { script: 'src/worker-main.ts' });
    scope.defer(() => void second.stop());
    // Lock expiry (1.5 s) plus a stalled check: the job runs again, on the new worker.
    await waitFor(async () => (await completedNotifyJobs(second)) >= 1, { timeoutMs: 20_000, intervalMs: 250 });
    expect(receiver.received.map((h) => h.headers['x-parley-delivery']).sort()).toEqual(
      [`${message.id}:${carol!.user.id}`, `${message.id}:${dave!.user.id}`].sort(),
    );

    // The new worker carries on with new messages.
    const next = await annApi.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'k2', text: 'hello?' });
    await waitFor(() => receiver.received.length >= 4, { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.received.slice(2).map((h) => h.headers['x-parley-delivery']).sort()).toEqual(
      [`${next.id}:${carol!.user.id}`, `${next.id}:${dave!.user.id}`].sort(),
    );
    expect(receiver.received).toHaveLength(4);
  });
});
