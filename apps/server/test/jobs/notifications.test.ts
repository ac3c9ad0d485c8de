import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { httpClient, wsClient } from '../helpers/client.ts';
import { redisRoles } from '../helpers/cluster-roles.ts';
import { useRedisServer } from '../helpers/use-redis.ts';
import { useSharedStore } from '../helpers/use-store.ts';
import { useScope } from '../helpers/scope.ts';
import { startWebhookReceiver, type Responder } from '../helpers/webhook-receiver.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { notifyOfflineMembers } from '../../src/jobs/offline-notify.ts';
import { WebhookNotifier } from '../../src/notify/webhook-notifier.ts';
import type { TestServer } from '../helpers/test-server.ts';

const scope = useScope();
const SECRET = 'webhook-secret-for-tests-0123';
const DELAY_MS = 1500;
const redis = useRedisServer();
const shared = useSharedStore();

/** Two instances on one Redis and one store, both running workers that POST to a local receiver. */
async function cluster(respond?: Responder) {
  const { store } = shared;
  const receiver = await startWebhookReceiver(respond);
  scope.defer(() => receiver.close());
  const servers: TestServer[] = [];
  for (const id of ['A', 'B']) {
    const roles = await redisRoles(redis.url, `${id}-${Math.random().toString(36).slice(2, 6)}`);
    scope.defer(() => roles.close());
    const notifier = new WebhookNotifier({ url: receiver.url, secret: SECRET });
    servers.push(await scope.server({ store, roles, instanceId: id, jobs: { notifyDelayMs: DELAY_MS, backoffMs: 200 }, workers: { notifier } }));
  }
  return { receiver, a: servers[0]!, b: servers[1]! };
}

/** Signs a user in; `online` keeps a connection open (on `server`) for the rest of the test. */
async function user(server: TestServer, name: string, online: boolean) {
  const anon = wsClient(server.wsUrl, null);
  const login = await anon.client.auth.devLogin.mutate({ displayName: name });
  await anon.close();
  if (online) await scope.ws(server, login.token).client.users.me.query();
  return { id: login.user.id, token: login.token, http: httpClient(server.url, login.token) };
}

async function metric(server: TestServer, name: string, queue: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^${name}\\{queue="${queue}"\\} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

const settle = (ms = DELAY_MS + 1500) => new Promise((resolve) => setTimeout(resolve, ms));

describe('offline notifications (BullMQ on a real Redis, webhook to a local receiver)', () => {
  it('notifies only members with no live connection who have not read it, signed, once', async () => {
    const { receiver, a, b } = await cluster();
    const ann = await user(a, 'Ann', true);
    const bob = await user(b, 'Bob', true); // online on the other instance
    const carol = await user(a, 'Carol', false);
    const dave = await user(a, 'Dave', false); // offline, but reads it before the delay ends
    const conv = await ann.http.conversations.create.mutate({ memberIds: [bob.id, carol.id, dave.id] });
    const message = await ann.http.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'n1', text: 'lunch?' });
    await dave.http.chat.markRead.mutate({ conversationId: conv.id, seq: message.seq });

    await waitFor(() => receiver.received.length >= 1, { timeoutMs: 15_000 });
    await settle();
    expect(receiver.received.map((h) => h.body.recipientId)).toEqual([carol.id]);
    const hook = receiver.received[0]!;
    expect(hook.body).toEqual({
      type: 'message',
      recipientId: carol.id,
      conversationId: conv.id,
      message: { ...message, createdAt: message.createdAt.toISOString() },
    });
    const expected = `sha256=${createHmac('sha256', SECRET).update(hook.raw).digest('hex')}`;
    expect(hook.headers['x-parley-signature']).toBe(expected);
    expect(hook.headers['x-parley-delivery']).toBe(`${message.id}:${carol.id}`);
    // Not before the delay.
    expect(hook.at - message.createdAt.getTime()).toBeGreaterThanOrEqual(DELAY_MS - 100);
    expect((await metric(a, 'parley_jobs_completed_total', 'notify')) + (await metric(b, 'parley_jobs_completed_total', 'notify'))).toBe(1);
  });

  it('sends once per (message, recipient): a repeated send, a repeated enqueue, two workers, a re-run', async () => {
    const { store } = shared;
    const { receiver, a, b } = await cluster();
    const ann = await user(a, 'Ann', true);
    const carol = await user(a, 'Carol', false);
    const conv = await ann.http.conversations.create.mutate({ memberIds: [carol.id] });
    const message = await ann.http.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'd1', text: 'hi' });
    await ann.http.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'd1', text: 'hi' });
    const job = { messageId: message.id, conversationId: conv.id, seq: message.seq };
    await a.queues.enqueueNotify(job);
    await b.queues.enqueueNotify(job);
    await waitFor(() => receiver.received.length >= 1, { timeoutMs: 15_000 });
    await settle();
    expect(receiver.received).toHaveLength(1);

    // The job's work run again (as after a crash): the ledger on Redis says it went out.
    const roles = await redisRoles(redis.url, 'rerun');
    scope.defer(() => roles.close());
    const again = await notifyOfflineMembers(
      { store, connectionCounts: (ids) => roles.connectionCounts!(ids), ledger: roles.ledger, notifier: new WebhookNotifier({ url: receiver.url, secret: SECRET }), log: console },
      job,
    );
    expect(again).toEqual({ sent: [], skipped: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it('retries non-2xx answers with backoff, then delivers', async () => {
    const { receiver, a, b } = await cluster((_hook, n) => (n < 2 ? 503 : 200));
    const ann = await user(a, 'Ann', true);
    const carol = await user(a, 'Carol', false);
    const conv = await ann.http.conversations.create.mutate({ memberIds: [carol.id] });
    const message = await ann.http.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'r1', text: 'are you there?' });
    await waitFor(() => receiver.received.length >= 3, { timeoutMs: 20_000 });
    await settle(1500);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((h) => h.headers['x-parley-delivery']))).toEqual(new Set([`${message.id}:${carol.id}`]));
    const gaps = [receiver.received[1]!.at - receiver.received[0]!.at, receiver.received[2]!.at - receiver.received[1]!.at];
    // Backoff 200 ms, then 400 ms (plus however late the worker runs on a loaded machine).
    expect(gaps[0]).toBeGreaterThanOrEqual(180);
    expect(gaps[1]).toBeGreaterThanOrEqual(380);
    const retried = (await metric(a, 'parley_jobs_retried_total', 'notify')) + (await metric(b, 'parley_jobs_retried_total', 'notify'));
    const completed = (await metric(a, 'parley_jobs_completed_total', 'notify')) + (await metric(b, 'parley_jobs_completed_total', 'notify'));
    expect([retried, completed]).toEqual([2, 1]);
  });

  it('ends the job without retries when the receiver refuses it for good', async () => {
    const { receiver, a, b } = await cluster(() => 410);
    const ann = await user(a, 'Ann', true);
    const carol = await user(a, 'Carol', false);
    const conv = await ann.http.conversations.create.mutate({ memberIds: [carol.id] });
    await ann.http.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'p1', text: 'hello' });
    await waitFor(() => receiver.received.length >= 1, { timeoutMs: 15_000 });
    await settle(2000);
    expect(receiver.received).toHaveLength(1);
    const failed = (await metric(a, 'parley_jobs_failed_total', 'notify')) + (await metric(b, 'parley_jobs_failed_total', 'notify'));
    const retried = (await metric(a, 'parley_jobs_retried_total', 'notify')) + (await metric(b, 'parley_jobs_retried_total', 'notify'));
    expect([failed, retried]).toEqual([1, 0]);
    expect((await a.queues.counts()).notify.failed).toBe(1);
    expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/^parley_queue_jobs\{queue="notify",state="failed"\} 1$/m);
  });
});
