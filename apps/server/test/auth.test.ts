import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { httpClient } from './helpers/client.ts';
import { RawSocket } from './helpers/raw-ws.ts';
import { useScope } from './helpers/scope.ts';
import { collect } from './helpers/subscribe.ts';
import { TEST_JWT_SECRET, TEST_SERVICE_TOKEN } from './helpers/test-server.ts';

const scope = useScope();

describe('auth', () => {
  it('devLogin issues a token naming the user and a session; the user id never comes from input of other calls', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann', 'ann');
    expect(ann.user).toMatchObject({ id: 'ann', displayName: 'Ann', status: 'online' });
    expect(ann.sessionId).toMatch(/^s_/);
    expect(await ann.client.users.me.query()).toMatchObject({ id: 'ann', online: true });
    expect(await httpClient(server.url, ann.token).users.me.query()).toMatchObject({ id: 'ann' });
  });

  it('refuses calls without a token or with a bad one', async () => {
    const server = await scope.server();
    const anon = scope.ws(server, null).client;
    await expect(anon.users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    const forged = scope.ws(server, 'not-a-token').client;
    await expect(forged.users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(httpClient(server.url, null).users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    const otherSecret = await new SignJWT({ sid: 's_x' }).setProtectedHeader({ alg: 'HS256' }).setSubject('ann').setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-entirely-0123456789'));
    await expect(httpClient(server.url, otherSecret).users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  it('logout ends the session: the token is refused over HTTP and open sockets are closed with 4401', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const otherDevice = await scope.user(server, 'Ann', ann.id);
    const sameSession = await RawSocket.open(server.wsUrl, ann.token);
    scope.defer(() => sameSession.close());
    expect((await sameSession.call(1, 'query', 'users.me')).result).toBeDefined();
    expect(await ann.client.auth.logout.mutate({})).toEqual({ ok: true });
    // Calls on the open socket are refused until it is closed with 4401.
    expect((await sameSession.call(2, 'query', 'users.me')).error?.data.code).toBe('UNAUTHORIZED');
    expect((await sameSession.closed).code).toBe(4401);
    await expect(httpClient(server.url, ann.token).users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    // Another session of the same user goes on.
    expect(await otherDevice.client.users.me.query()).toMatchObject({ id: ann.id });
    const stored = await server.store.getSession(ann.sessionId);
    expect(stored).toMatchObject({ isActive: false });
    expect((await server.store.getUser(ann.id))?.isSignedIn).toBe(true);
  });

  it('in jwt mode verifies outside tokens (sub = user) and refuses devLogin', async () => {
    const server = await scope.server({ mode: 'jwt' });
    const token = await new SignJWT({ sid: 'phone-1', name: 'Zed' }).setProtectedHeader({ alg: 'HS256' }).setSubject('zed').setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const zed = scope.ws(server, token).client;
    expect(await zed.users.me.query()).toMatchObject({ id: 'zed', displayName: 'Zed' });
    await expect(zed.auth.devLogin.mutate({ displayName: 'x' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('zed').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(TEST_JWT_SECRET));
    await expect(httpClient(server.url, expired).users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await zed.auth.logout.mutate({});
    await expect(httpClient(server.url, token).users.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  it('guards admin.* with SERVICE_TOKEN: none is UNAUTHORIZED, a user token FORBIDDEN', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    await expect(httpClient(server.url, null).admin.stats.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(ann.client.admin.stats.query()).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(await httpClient(server.url, TEST_SERVICE_TOKEN).admin.stats.query()).toMatchObject({ totalConnections: 1 });
    expect(await scope.ws(server, TEST_SERVICE_TOKEN).client.admin.stats.query()).toMatchObject({ instances: 1 });
  });
});

describe('notifications', () => {
  it('delivers admin.sendToUser and admin.broadcast (with excludeUserId) through chat.notifications', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const annN = await collect(ann.client.chat.notifications, {});
    const bobN = await collect(bob.client.chat.notifications, {});
    const admin = httpClient(server.url, TEST_SERVICE_TOKEN);
    expect(await admin.admin.sendToUser.mutate({ userId: ann.id, type: 'promo', data: { x: 1 } })).toEqual({ delivered: 1 });
    expect(await admin.admin.broadcast.mutate({ type: 'maintenance', data: 'soon', excludeUserId: ann.id })).toEqual({ recipients: 1 });
    await expect(admin.admin.sendToUser.mutate({ userId: 'nobody', type: 'x', data: null })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    const annItems = await annN.count(1);
    expect(annItems[0]).toMatchObject({ type: 'notification', kind: 'promo', data: { x: 1 } });
    const bobItems = await bobN.count(1);
    expect(bobItems[0]).toMatchObject({ type: 'notification', kind: 'maintenance', data: 'soon' });
    await new Promise((r) => setTimeout(r, 100));
    expect(annN.items).toHaveLength(1);
    expect(bobN.items).toHaveLength(1);
  });
});
