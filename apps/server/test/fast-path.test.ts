import { describe, expect, it } from 'vitest';
import { RawSocket } from './helpers/raw-ws.ts';
import { useScope } from './helpers/scope.ts';
import { collect } from './helpers/subscribe.ts';
import { httpClient } from './helpers/client.ts';
import { TEST_SERVICE_TOKEN } from './helpers/test-server.ts';

const scope = useScope();

describe('WebSocket fast path for chat.messages / chat.receipts', () => {
  it('speaks the tRPC wire format: started, tracked data with superjson dates, stopped', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
    const raw = await RawSocket.open(server.wsUrl, bob.token);
    scope.defer(() => raw.close());
    raw.send(JSON.stringify({ id: 5, method: 'subscription', params: { path: 'chat.messages', input: { json: { conversationId: conv.id } } } }));
    await raw.waitFor((m) => m.id === 5 && (m.result as { type?: string })?.type === 'started');
    const sent = await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'w', text: 'wire' });
    const frame = (await raw.waitFor((m) => m.id === 5 && (m.result as { type?: string })?.type === 'data')) as {
      result: { id: string; data: { json: { id: string; data: { type: string; message: { text: string } } }; meta: { values: Record<string, unknown> } } };
    };
    expect(frame.result.id).toBe('1');
    expect(frame.result.data.json.id).toBe('1');
    expect(frame.result.data.json.data).toMatchObject({ type: 'message.created', message: { text: 'wire', id: sent.id } });
    expect(frame.result.data.meta.values).toEqual({ 'data.message.createdAt': ['Date'] });
    raw.send(JSON.stringify({ id: 5, method: 'subscription.stop' }));
    await raw.waitFor((m) => m.id === 5 && (m.result as { type?: string })?.type === 'stopped');
    // Other traffic on the same socket still reaches tRPC's handler.
    expect((await raw.call(6, 'query', 'users.me')).result).toBeDefined();
  });

  it('answers errors of the procedure (auth, input, membership) in tRPC error shape', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const eve = await scope.user(server, 'Eve');
    const conv = await ann.client.conversations.create.mutate({ memberIds: [eve.id] });
    const anon = await RawSocket.open(server.wsUrl, null);
    scope.defer(() => anon.close());
    anon.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.messages', input: { json: {} } } }));
    expect(RawSocket.errorOf(await anon.waitFor((m) => m.id === 1))?.data.code).toBe('UNAUTHORIZED');
    const raw = await RawSocket.open(server.wsUrl, ann.token);
    scope.defer(() => raw.close());
    raw.send(JSON.stringify({ id: 2, method: 'subscription', params: { path: 'chat.messages', input: { json: { conversationId: 42 } } } }));
    const bad = RawSocket.errorOf(await raw.waitFor((m) => m.id === 2));
    expect(bad?.data.code).toBe('BAD_REQUEST');
    expect(bad?.message).toContain('conversationId');
    raw.send(JSON.stringify({ id: 3, method: 'subscription', params: { path: 'chat.receipts', input: { json: { conversationId: 'c_missing' } } } }));
    expect(RawSocket.errorOf(await raw.waitFor((m) => m.id === 3))?.data.code).toBe('NOT_FOUND');
  });

  it('drops a subscriber that stops reading instead of buffering without bound; others get everything', async () => {
    const server = await scope.server({ maxBufferedBytes: 256 * 1024 });
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const cat = await scope.user(server, 'Cat');
    const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id, cat.id] });
    await bob.handle.close();
    const slow = await RawSocket.open(server.wsUrl, bob.token);
    scope.defer(() => slow.close());
    slow.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.messages', input: { json: { conversationId: conv.id } } } }));
    await slow.waitFor((m) => m.id === 1);
    // Stop reading: the kernel buffers fill, then the server's queue for this socket grows.
    slow.ws.pause();
    const healthy = await collect(cat.client.chat.messages, { conversationId: conv.id });
    const admin = httpClient(server.url, TEST_SERVICE_TOKEN);
    const text = 'x'.repeat(3990);
    let sent = 0;
    const deadline = Date.now() + 60_000;
    while ((await admin.admin.userStatus.query({ userId: bob.id })).connections > 0) {
      expect(Date.now() < deadline && sent < 20_000, `still connected after ${sent} messages`).toBe(true);
      await Promise.all(
        Array.from({ length: 10 }, () => ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: `s${sent++}`, text })),
      );
    }
    // Dropped after a bounded amount, not after everything: the server held at most ~256 KiB for it.
    expect(sent * 4000).toBeGreaterThan(256 * 1024);
    for (let i = 0; i < 20; i++) await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: `t${i}`, text: 'after' });
    const items = await healthy.count(sent + 20, 30_000);
    expect(items).toHaveLength(sent + 20);
  });
});
