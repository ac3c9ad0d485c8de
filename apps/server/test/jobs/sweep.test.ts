import { describe, expect, it } from 'vitest';
import { wsClient } from '../helpers/client.ts';
import { redisRoles } from '../helpers/cluster-roles.ts';
import { RawSocket } from '../helpers/raw-ws.ts';
import { useRedisServer } from '../helpers/use-redis.ts';
import { useSharedStore } from '../helpers/use-store.ts';
import { useScope } from '../helpers/scope.ts';
import { collect } from '../helpers/subscribe.ts';
import { TEST_JWT_SECRET } from '../helpers/test-server.ts';
import { topics, type BusEvent } from '@parley/api/schema';
import { createJwtAuth } from '../../src/auth/jwt-auth.ts';
import { MemoryBroker } from '../../src/broker/memory-broker.ts';
import { describeDuration, sweepIdleSessions, timeoutNotice } from '../../src/jobs/sweep.ts';
import { Node } from '../../src/node.ts';

const scope = useScope();
const redis = useRedisServer();
const shared = useSharedStore();

const IDLE_MS = 2000;

/** Two instances on one Redis and one store; only A runs the job workers (the sweep). */
async function cluster() {
  const { store } = shared;
  const roles = [await redisRoles(redis.url, 'A'), await redisRoles(redis.url, 'B')];
  for (const r of roles) scope.defer(() => r.close());
  // Keep-alive pings every 300 ms; B waits a minute for a PONG, so a frozen socket stays open on it.
  const config = { sessionIdleTimeoutMs: IDLE_MS, pingIntervalMs: 300 };
  const a = await scope.server({ store, roles: roles[0]!, instanceId: 'A', config, jobs: { sweepIntervalMs: 250 }, workers: {} });
  const b = await scope.server({ store, roles: roles[1]!, instanceId: 'B', config, pongWaitMs: 60_000 });
  return { a, b };
}

async function login(server: { wsUrl: string }, displayName: string, userId?: string) {
  const anon = wsClient(server.wsUrl, null);
  const result = await anon.client.auth.devLogin.mutate({ displayName, ...(userId ? { userId } : {}) });
  await anon.close();
  return result;
}

describe('idle-session sweep (BullMQ on a real Redis)', () => {
  it('times out a silent session on another instance: notice first, then close 4401, token refused, user signed out', async () => {
    const { store } = shared;
    const { a, b } = await cluster();
    const bob = await login(b, 'Bob');
    // A frozen client: connected to B, never answers a ping, makes no call after subscribing.
    const frozen = await RawSocket.open(b.wsUrl, bob.token, { answerPings: false });
    scope.defer(() => frozen.close());
    frozen.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.notifications', input: { json: {} } } }));
    await frozen.waitFor((msg) => msg.id === 1 && (msg.result as { type?: string } | undefined)?.type === 'started');

    const notice = await frozen.waitFor((msg) => msg.id === 1 && (msg.result as { type?: string })?.type === 'data', 15_000);
    const event = ((notice.result as { data: { json: Record<string, unknown> } }).data.json);
    expect(event).toMatchObject({ type: 'session.timeout', message: 'Your session has expired due to inactivity (2 seconds). Please sign in again.' });
    expect((await frozen.closed).code).toBe(4401);
    // The notice came before the close frame.
    expect(frozen.messages.findIndex((m) => m.includes('session.timeout'))).toBeGreaterThanOrEqual(0);

    const session = (await store.getSession(bob.sessionId))!;
    expect(session.isActive).toBe(false);
    expect(session.signedOutAt).toBeInstanceOf(Date);
    const user = (await store.getUser(bob.user.id))!;
    expect(user.isSignedIn).toBe(false);
    expect(user.lastSignOutAt).toBeInstanceOf(Date);

    // The token is refused from then on, on either instance.
    for (const server of [a, b]) {
      const again = scope.ws(server, bob.token);
      await expect(again.client.users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    }
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/parley_jobs_completed_total\{queue="sweep"\} [1-9]/);
  });

  it('never times out a session that answers pings, even with no other activity', async () => {
    const { store } = shared;
    const { a, b } = await cluster();
    const ann = await login(b, 'Ann');
    const annOther = await login(a, 'Ann', ann.user.id);
    // wsLink answers the server's pings by itself; nothing else is sent after the first call.
    const client = scope.ws(b, ann.token);
    await client.client.users.me.query();
    const notes = await collect(client.client.chat.notifications, {});
    // A second session of the same user, silent and without a connection: it is timed out, and the
    // user stays signed in because the answering session is still active.
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2.5));
    expect((await store.getSession(annOther.sessionId))!.isActive).toBe(false);
    expect((await store.getSession(ann.sessionId))!.isActive).toBe(true);
    expect((await store.getUser(ann.user.id))!.isSignedIn).toBe(true);
    expect(notes.items).toEqual([]);
    expect(await client.client.users.me.query()).toMatchObject({ id: ann.user.id });
  });
});

describe('sweepIdleSessions', () => {
  it('revokes the identity provider’s sessions (Firebase) only when the user’s last session times out', async () => {
    const { store } = shared;
    const revoked: string[] = [];
    const auth = { ...(await createJwtAuth({ mode: 'dev', secret: TEST_JWT_SECRET })), revokeSessions: async (userId: string) => void revoked.push(userId) };
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const realtime = new Node({ instanceId: 'sweeper', broker: new MemoryBroker(), log });
    const ends: BusEvent[] = [];
    realtime.subscribe([topics.user('zoe')], (_topic, event) => ends.push(event));
    await store.upsertUser({ id: 'zoe', displayName: 'Zoe' });
    await store.createSession({ id: 'zoe-phone', userId: 'zoe' });
    await store.createSession({ id: 'zoe-laptop', userId: 'zoe' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await store.touchSessions(['zoe-laptop'], await store.now());

    expect(await sweepIdleSessions({ store, realtime, auth, idleTimeoutMs: 100, log })).toBeGreaterThanOrEqual(1);
    expect((await store.getSession('zoe-phone'))!.isActive).toBe(false);
    expect((await store.getSession('zoe-laptop'))!.isActive).toBe(true);
    // Users of earlier tests in this store may be swept too: only zoe matters here.
    expect(revoked).not.toContain('zoe');
    expect(ends).toMatchObject([{ t: 'session.end', sessionId: 'zoe-phone', reason: 'timeout', event: { type: 'session.timeout' } }]);

    await new Promise((resolve) => setTimeout(resolve, 150));
    await sweepIdleSessions({ store, realtime, auth, idleTimeoutMs: 100, log });
    expect((await store.getUser('zoe'))!.isSignedIn).toBe(false);
    expect(revoked.filter((id) => id === 'zoe')).toHaveLength(1);
    // A second sweep finds nothing left to end.
    expect(await sweepIdleSessions({ store, realtime, auth, idleTimeoutMs: 100, log })).toBe(0);
    expect(ends).toHaveLength(2);
  });

  it('says the timeout the way a person would', () => {
    expect(timeoutNotice(10_800_000, new Date(0)).message).toBe('Your session has expired due to inactivity (3 hours). Please sign in again.');
    expect(describeDuration(3_600_000)).toBe('1 hour');
    expect(describeDuration(5_400_000)).toBe('90 minutes');
    expect(describeDuration(1500)).toBe('1.5 seconds');
  });
});
