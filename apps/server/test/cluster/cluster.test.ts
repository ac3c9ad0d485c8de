import { describe, expect, it } from 'vitest';
import type { Message } from '@parley/db';
import { httpClient, wsClient } from '../helpers/client.ts';
import { startCluster } from '../helpers/cluster.ts';
import { postgresReachable } from '../helpers/postgres.ts';
import { RawSocket } from '../helpers/raw-ws.ts';
import { collect } from '../helpers/subscribe.ts';
import { TEST_SERVICE_TOKEN } from '../helpers/test-server.ts';
import { useScope } from '../helpers/scope.ts';

// Several processes need one store they can all reach: the machine's Postgres (PGlite is one process).
const pgUp = await postgresReachable();
const scope = useScope();
type Tracked<T> = { id: string; data: T };
type Ev = { type: string; userId?: string; online?: boolean; status?: string; connections?: number; isTyping?: boolean };

async function login(url: string, displayName: string, userId?: string) {
  return httpClient(url, null).auth.devLogin.mutate({ displayName, ...(userId ? { userId } : {}) });
}

function connect(wsUrl: string | (() => string), token: string) {
  const handle = wsClient(typeof wsUrl === 'string' ? wsUrl : (wsUrl as never), token, { retryDelayMs: 200 });
  scope.defer(() => handle.close());
  return handle.client;
}

describe.runIf(pgUp)('a cluster of instances over Redis', () => {
  it('delivers every event type across instances, once', async () => {
    await using cluster = await startCluster(2);
    const [a, b] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const ann = await login(a.url, 'Ann');
    const bob = await login(b.url, 'Bob');
    const annA = connect(a.wsUrl, ann.token);
    const bobB = connect(b.wsUrl, bob.token);
    const bobA = connect(a.wsUrl, bob.token);
    const conv = await annA.conversations.create.mutate({ memberIds: [bob.user.id] });

    const bobMessages = await collect(bobB.chat.messages, {});
    const bobMessagesOnA = await collect(bobA.chat.messages, { conversationId: conv.id });
    const annReceipts = await collect(annA.chat.receipts, {});
    const bobPresence = await collect(bobB.chat.presence, {});
    const bobNotes = await collect(bobB.chat.notifications, {});
    const annNotes = await collect(annA.chat.notifications, {});

    const sent = await annA.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'x1', text: 'across' });
    const [got] = (await bobMessages.count(1)) as Array<Tracked<{ message: Message }>>;
    expect(got?.data.message).toEqual(sent);
    await bobMessagesOnA.count(1);

    await bobB.chat.markRead.mutate({ conversationId: conv.id, seq: sent.seq });
    const [receipt] = (await annReceipts.count(1)) as Array<Tracked<{ newStatus: string; updatedBy: string }>>;
    expect(receipt?.data).toMatchObject({ newStatus: 'read', updatedBy: bob.user.id });

    await annA.chat.typing.mutate({ conversationId: conv.id, isTyping: true });
    await bobPresence.until((items) => (items as Ev[]).some((e) => e.type === 'typing' && e.userId === ann.user.id && e.isTyping));
    await annA.chat.setStatus.mutate({ status: 'away', text: 'lunch' });
    await bobPresence.until((items) => (items as Ev[]).some((e) => e.type === 'presence' && e.userId === ann.user.id && e.status === 'away'));

    const adminA = httpClient(a.url, TEST_SERVICE_TOKEN);
    expect(await adminA.admin.sendToUser.mutate({ userId: bob.user.id, type: 'ping', data: 1 })).toEqual({ delivered: 2 });
    await bobNotes.until((items) => items.some((n) => (n as { kind?: string }).kind === 'ping'));
    await httpClient(b.url, TEST_SERVICE_TOKEN).admin.broadcast.mutate({ type: 'hello', data: null, excludeUserId: bob.user.id });
    await annNotes.until((items) => items.some((n) => (n as { kind?: string }).kind === 'hello'));

    const stats = await adminA.admin.stats.query();
    expect(stats.instances).toBe(2);
    expect(stats.totalConnections).toBe(3);
    expect(stats.connectedUsers.sort()).toEqual([ann.user.id, bob.user.id].sort());

    // A session ended on one instance closes its sockets on the other.
    const bobRawOnA = await RawSocket.open(a.wsUrl, bob.token);
    scope.defer(() => bobRawOnA.close());
    await bobRawOnA.call(1, 'query', 'users.me');
    await bobB.auth.logout.mutate({});
    expect((await bobRawOnA.closed).code).toBe(4401);

    // Nothing arrived twice.
    expect(bobMessages.items).toHaveLength(1);
    expect(bobMessagesOnA.items).toHaveLength(1);
    expect(annReceipts.items).toHaveLength(1);
  });

  it('an instance killed with -9: its users go offline for others within the TTL, multi-device users stay, clients move over missing nothing', async () => {
    await using cluster = await startCluster(2, { PRESENCE_TTL_MS: '1500' });
    const [a, b] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const ann = await login(a.url, 'Ann');
    const cat = await login(a.url, 'Cat');
    const dan = await login(a.url, 'Dan');
    const annA = connect(a.wsUrl, ann.token);
    const conv = await annA.conversations.create.mutate({ memberIds: [cat.user.id, dan.user.id] });
    let catTarget = b.wsUrl;
    const catMoving = connect(() => catTarget, cat.token);
    const danA = connect(a.wsUrl, dan.token);
    const danB = connect(b.wsUrl, dan.token);
    await Promise.all([catMoving.users.me.query(), danA.users.me.query(), danB.users.me.query()]);
    const annSees = await collect(annA.chat.presence, {});
    const lastOf = (id: string) => [...(annSees.items as Ev[])].reverse().find((e) => e.type === 'presence' && e.userId === id);
    await annSees.until(() => lastOf(dan.user.id)?.connections === 2 && lastOf(cat.user.id)?.online === true);

    const catStream = await collect(catMoving.chat.messages, {});
    const sent: Message[] = [];
    for (let i = 0; i < 5; i++) sent.push(await annA.chat.send.mutate({ conversationId: conv.id, clientMessageId: `a${i}`, text: `a${i}` }));
    await catStream.count(5);

    await b.crash();
    catTarget = a.wsUrl; // the load balancer sends cat's reconnect to the survivor
    for (let i = 0; i < 5; i++) sent.push(await annA.chat.send.mutate({ conversationId: conv.id, clientMessageId: `b${i}`, text: `b${i}` }));

    await annSees.until(() => lastOf(dan.user.id)?.connections === 1, 15_000);
    expect(lastOf(dan.user.id)?.online).toBe(true);
    const items = (await catStream.count(10, 15_000)) as Array<Tracked<{ message: Message }>>;
    expect(items.map((i) => i.data.message.id)).toEqual(sent.map((m) => m.id));
    expect((await httpClient(a.url, TEST_SERVICE_TOKEN).admin.stats.query()).instances).toBe(1);
    // cat came back on a: online again, through the reconnect.
    expect(lastOf(cat.user.id)?.online).toBe(true);
  });

  it('survives Redis going down and coming back: sends persist, local delivery goes on, others catch up', async () => {
    await using cluster = await startCluster(2);
    const [a, b] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const ann = await login(a.url, 'Ann');
    const bob = await login(b.url, 'Bob');
    const carl = await login(a.url, 'Carl');
    const annA = connect(a.wsUrl, ann.token);
    const conv = await annA.conversations.create.mutate({ memberIds: [bob.user.id, carl.user.id] });
    const bobOnB = await collect(connect(b.wsUrl, bob.token).chat.messages, {});
    const carlOnA = await collect(connect(a.wsUrl, carl.token).chat.messages, { conversationId: conv.id });

    let n = 0;
    const send = () => annA.chat.send.mutate({ conversationId: conv.id, clientMessageId: `m${n}`, text: `m${n++}` });
    for (let i = 0; i < 5; i++) await send();
    await bobOnB.count(5);

    await cluster.redis.kill();
    for (let i = 0; i < 5; i++) await send();
    // Same-instance subscribers still get events directly.
    await carlOnA.count(10);
    await expect.poll(async () => (await fetch(`${a.url}/readyz`)).status, { timeout: 10_000 }).toBe(503);
    expect(await (await fetch(`${a.url}/readyz`)).json()).toMatchObject({ redis: 'down', store: 'ok' });

    await cluster.redis.restart();
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    for (let i = 0; i < 5; i++) await send();

    const bobGot = (await bobOnB.count(15, 15_000)) as Array<Tracked<{ message: Message }>>;
    const carlGot = (await carlOnA.count(15)) as Array<Tracked<{ message: Message }>>;
    await new Promise((r) => setTimeout(r, 300));
    expect(bobGot.map((i) => i.data.message.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(carlGot.map((i) => i.data.message.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    // The outage is logged once per instance, not once per failed publish.
    for (const inst of [a, b]) {
      const downs = inst.logs.filter((l) => /down|lost|unreachable/i.test(l) && /redis|broker|link/i.test(l) && l.includes('"level":"warn"'));
      expect(downs.length, downs.join('\n')).toBeLessThanOrEqual(4);
    }
  });
});
