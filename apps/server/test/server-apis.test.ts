import { describe, expect, it } from 'vitest';
import { httpClient } from './helpers/client.ts';
import { RawSocket } from './helpers/raw-ws.ts';
import { useScope } from './helpers/scope.ts';
import { collect } from './helpers/subscribe.ts';
import { TEST_SERVICE_TOKEN } from './helpers/test-server.ts';

const scope = useScope();

describe('server APIs', () => {
  it('connections.info, admin.stats and admin.userStatus describe live connections', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const annPhone = scope.ws(server, ann.token);
    await annPhone.client.users.me.query();
    const bob = await scope.user(server, 'Bob');
    const info = await ann.client.connections.info.query();
    expect(info.mine).toHaveLength(2);
    expect(info.mine[0]).toMatchObject({ sessionId: ann.sessionId, instanceId: server.node.instanceId });
    expect(info.instance).toMatchObject({ id: server.node.instanceId, connections: 3, users: 2 });
    expect(info.cluster).toEqual({ instances: 1, connections: 3, users: 2 });

    const admin = httpClient(server.url, TEST_SERVICE_TOKEN);
    const stats = await admin.admin.stats.query();
    expect(stats).toMatchObject({ totalConnections: 3, instances: 1, pingIntervalSeconds: 30, sessionIdleTimeoutSeconds: 10800 });
    expect(stats.connectedUsers.sort()).toEqual([ann.id, bob.id].sort());
    expect(await admin.admin.userStatus.query({ userId: ann.id })).toEqual({ userId: ann.id, isConnected: true, connections: 2, status: 'online' });
    await bob.handle.close();
    await expect.poll(() => admin.admin.userStatus.query({ userId: bob.id })).toMatchObject({ isConnected: false, connections: 0 });
    await expect(admin.admin.userStatus.query({ userId: 'ghost' })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it('serves /healthz, /readyz and /metrics on the same port, and tRPC over HTTP', async () => {
    const server = await scope.server();
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, store: 'ok' });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('parley_connections 0');
    const login = await fetch(`${server.url}/trpc/auth.devLogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { displayName: 'Curl' } }),
    });
    const body = (await login.json()) as { result: { data: { json: { token: string } } } };
    const me = await fetch(`${server.url}/trpc/users.me`, { headers: { authorization: `Bearer ${body.result.data.json.token}` } });
    expect(((await me.json()) as { result: { data: { json: { displayName: string } } } }).result.data.json.displayName).toBe('Curl');
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});

describe('heartbeat', () => {
  it('pings every PING_INTERVAL_MS, records answered pings, and drops a socket that stops answering', async () => {
    const server = await scope.server({ config: { pingIntervalMs: 200 }, pongWaitMs: 300 });
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
    const annSees = await collect(ann.client.chat.presence, {});

    const before = (await server.store.getSession(bob.sessionId))!.lastHeartbeatAt;
    const silent = await RawSocket.open(server.wsUrl, bob.token, { answerPings: false });
    await silent.call(1, 'query', 'users.me');
    await bob.handle.close();
    // The answering client (ann) stays; the silent one is terminated after ping + wait.
    const { code } = await silent.closed;
    expect(code).toBe(1006);
    await annSees.until((items) => items.some((e) => e.type === 'presence' && e.userId === bob.id && !e.online));
    expect(silent.messages).toContain('PING');

    const answering = await RawSocket.open(server.wsUrl, ann.token);
    scope.defer(() => answering.close());
    await answering.call(1, 'query', 'users.me');
    const t0 = (await server.store.getSession(ann.sessionId))!.lastHeartbeatAt.getTime();
    await expect
      .poll(async () => (await server.store.getSession(ann.sessionId))!.lastHeartbeatAt.getTime(), { timeout: 5000 })
      .toBeGreaterThan(t0 + 300);
    expect(before).toBeInstanceOf(Date);
  });
});
