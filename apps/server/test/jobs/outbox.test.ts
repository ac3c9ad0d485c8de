import { describe, expect, it } from 'vitest';
import { httpClient, wsClient } from '../helpers/client.ts';
import { useScope } from '../helpers/scope.ts';
import { useSharedStore } from '../helpers/use-store.ts';
import { waitFor } from '../helpers/wait-for.ts';

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
});
