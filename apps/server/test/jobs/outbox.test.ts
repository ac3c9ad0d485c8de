import { describe, expect, it } from 'vitest';
import { httpClient, wsClient } from '../helpers/client.ts';
import { useScope } from '../helpers/scope.ts';
import { useSharedStore } from '../helpers/use-store.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { notifyOfflineMembers } from '../../src/jobs/offline-notify.ts';
import { MemoryLedger } from '../../src/jobs/ledger.ts';
import { NotifyError } from '../../src/notify/notifier.ts';
import { OutboxNotifier } from '../../src/notify/outbox-notifier.ts';
import type { Message } from '@parley/db';

const scope = useScope();
const shared = useSharedStore();

describe('outbox notifier and devices (REDIS_URL=memory://, workers in the server)', () => {
  it('keeps offline notifications for notifications.list, newest first, paged', async () => {
    const server = await scope.server({ store: shared.store, jobs: { notifyDelayMs: 200 }, workers: {} });
    const ann = await scope.user(server, 'Ann');
    const anon = wsClient(server.wsUrl, null);
    const carolLogin = await anon.client.auth.devLogin.mutate({ displayName: 'Carol' });
    await anon.close();
    const carol = httpClient(server.url, carolLogin.token);
    const conv = await ann.client.conversations.create.mutate({ memberIds: [carolLogin.user.id] });
    const sent = [];
    for (const text of ['one', 'two', 'three']) sent.push(await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: text, text }));

    const all = await waitFor(async () => {
      const page = await carol.notifications.list.query({ limit: 10 });
      return page.items.length === 3 ? page : null;
    }, { timeoutMs: 10_000 });
    expect(all.items.map((n) => n.message.text)).toEqual(['three', 'two', 'one']);
    expect(all.items[0]).toMatchObject({ recipientId: carolLogin.user.id, conversationId: conv.id, message: sent[2] });
    // The sender, online, got nothing.
    expect((await ann.client.notifications.list.query({})).items).toEqual([]);

    const first = await carol.notifications.list.query({ limit: 2 });
    const rest = await carol.notifications.list.query({ limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...rest.items].map((n) => n.message.text)).toEqual(['three', 'two', 'one']);
    expect(rest.nextCursor).toBeNull();
    await expect(carol.notifications.list.query({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('cursor') });
  });

  it('devices.register validates and stores the push token of the caller', async () => {
    const server = await scope.server({ store: shared.store });
    const ann = await scope.user(server, 'Ann');
    await expect(ann.client.devices.register.mutate({ token: 'fcm-token-0123456789', platform: 'symbian' as never })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('platform'),
    });
    await expect(ann.client.devices.register.mutate({ token: '', platform: 'android' })).rejects.toMatchObject({
      message: expect.stringContaining('token'),
    });
    expect(await server.store.devicesOf(ann.id)).toEqual([]);
    const device = await ann.client.devices.register.mutate({ token: 'fcm-token-0123456789', platform: 'android' });
    expect(device).toMatchObject({ token: 'fcm-token-0123456789', platform: 'android' });
    expect((await server.store.devicesOf(ann.id)).map((d) => d.token)).toEqual(['fcm-token-0123456789']);
    await expect(httpClient(server.url, null).devices.register.mutate({ token: 'fcm-token-0123456789', platform: 'ios' })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });

  it('stores the notifications of a large group in one batch; a failed batch releases its claims and the retry sends them all once', async () => {
    const { store } = shared;
    const ann = await scope.user(await scope.server({ store }), 'Ann');
    const others = [];
    for (let i = 0; i < 120; i += 1) others.push((await store.upsertUser({ id: `u_batch_${Date.now().toString(36)}_${i}`, displayName: `Member ${i}` })).id);
    const conv = await ann.client.conversations.create.mutate({ memberIds: others });
    const message = await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'big', text: 'to everyone' });
    await store.markReceipt({ conversationId: conv.id, userId: others[0]!, seq: message.seq, kind: 'read' });

    // The store refuses the first batch (as when Postgres is briefly unreachable), then works.
    const outbox = new OutboxNotifier({ store });
    const batches: number[] = [];
    let refuse = true;
    const notifier = {
      kind: 'outbox' as const,
      send: (n: { recipientId: string; message: Message }) => outbox.send(n),
      async sendMany(m: Message, recipientIds: string[]) {
        batches.push(recipientIds.length);
        if (refuse) {
          refuse = false;
          throw new NotifyError('store unreachable', { retryable: true });
        }
        await outbox.sendMany(m, recipientIds);
      },
    };
    const online = new Set([others[1]!]);
    const deps = {
      store,
      connectionCounts: async (ids: string[]) => new Map(ids.map((id) => [id, online.has(id) ? 1 : 0])),
      ledger: new MemoryLedger(),
      notifier,
      log: { info() {}, warn() {}, error() {} },
    };
    const job = { messageId: message.id, conversationId: conv.id, seq: message.seq };
    await expect(notifyOfflineMembers(deps, job)).rejects.toThrow(/could not be sent yet/);
    // 120 members: one read it, one is online; chunks of 100 recipients give batches of 98 and 20.
    // The first run's second batch went out; the retry sends only the refused one.
    const retried = await notifyOfflineMembers(deps, job);
    expect(retried).toEqual({ sent: expect.any(Array), skipped: 22 });
    expect(retried.sent).toHaveLength(98);
    expect(batches).toEqual([98, 20, 98]);
    expect(await notifyOfflineMembers(deps, job)).toEqual({ sent: [], skipped: 120 });
    for (const id of [others[2]!, others[119]!]) expect((await store.listNotifications(id, { limit: 5 })).items).toHaveLength(1);
    for (const id of [others[0]!, others[1]!]) expect((await store.listNotifications(id, { limit: 5 })).items).toEqual([]);
  });
});
