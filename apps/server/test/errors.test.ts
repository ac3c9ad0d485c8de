import { describe, expect, it } from 'vitest';
import { createStore } from '@parley/db';
import { httpClient } from './helpers/client.ts';
import { RawSocket } from './helpers/raw-ws.ts';
import { useScope } from './helpers/scope.ts';

const scope = useScope();

async function pair(options?: Parameters<typeof scope.server>[0]) {
  const server = await scope.server(options);
  const ann = await scope.user(server, 'Ann');
  const bob = await scope.user(server, 'Bob');
  const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
  return { server, ann, bob, conv };
}

describe('the error table', () => {
  it('BAD_REQUEST names the field, stores nothing', async () => {
    const { ann, conv } = await pair();
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'a', text: '' }), 'text'],
      [() => ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'a', text: 'x'.repeat(4001) }), 'text'],
      [() => ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: '', text: 'hi' }), 'clientMessageId'],
      [() => ann.client.chat.send.mutate({ conversationId: conv.id, text: 'hi' } as never), 'clientMessageId'],
      [() => ann.client.chat.markRead.mutate({ conversationId: conv.id, seq: 1.5 }), 'seq'],
      [() => ann.client.conversations.create.mutate({ memberIds: [] }), 'memberIds'],
      [() => ann.client.conversations.list.query({ limit: 500 }), 'limit'],
      [() => ann.client.conversations.list.query({ cursor: 'not-a-cursor' }), 'cursor'],
      [() => ann.client.chat.setStatus.mutate({ status: 'away', text: 'x'.repeat(141) }), 'text'],
      [() => ann.client.auth.devLogin.mutate({ displayName: '' }), 'displayName'],
      [() => ann.client.auth.devLogin.mutate({ displayName: 'x', userId: 'bad id!' }), 'userId'],
    ];
    for (const [call, field] of cases) {
      const error = await call().then(() => null, (e: unknown) => e);
      expect(error, field).toMatchObject({ data: { code: 'BAD_REQUEST' } });
      expect((error as Error).message, field).toContain(field);
    }
    const history = await ann.client.conversations.history.query({ conversationId: conv.id });
    expect(history.messages).toEqual([]);
  });

  it('a malformed lastEventId is a BAD_REQUEST on the subscription', async () => {
    const { ann } = await pair();
    const error = await new Promise<unknown>((resolve) => {
      ann.client.chat.messages.subscribe({ lastEventId: 'garbage~x~y' }, { onError: resolve, onData: () => resolve(null) });
    });
    expect(error).toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('lastEventId') });
  });

  it('FORBIDDEN for non-members, NOT_FOUND for unknown conversations and users', async () => {
    const { server, conv } = await pair();
    const eve = await scope.user(server, 'Eve');
    await expect(eve.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'x', text: 'hi' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(eve.client.conversations.history.query({ conversationId: conv.id })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(eve.client.chat.markRead.mutate({ conversationId: conv.id, seq: 1 })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(eve.client.chat.typing.mutate({ conversationId: conv.id, isTyping: true })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    const sub = await new Promise<unknown>((resolve) => eve.client.chat.messages.subscribe({ conversationId: conv.id }, { onError: resolve, onData: () => resolve(null) }));
    expect(sub).toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(eve.client.chat.send.mutate({ conversationId: 'c_nope', clientMessageId: 'x', text: 'hi' })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(eve.client.conversations.create.mutate({ memberIds: ['ghost'] })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' }, message: expect.stringContaining('memberIds') });
  });

  it('TOO_MANY_REQUESTS past the send limit, per user across connections, storing nothing', async () => {
    const { server, ann, conv } = await pair({ config: { limits: { send: { perSecond: 1, burst: 5 }, typing: { perSecond: 1, burst: 2 } } } });
    const annTablet = scope.ws(server, ann.token).client;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? ann.client : annTablet).chat.send.mutate({ conversationId: conv.id, clientMessageId: `q${i}`, text: `${i}` })),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
    const history = await ann.client.conversations.history.query({ conversationId: conv.id });
    expect(history.messages).toHaveLength(5);
    await ann.client.chat.typing.mutate({ conversationId: conv.id, isTyping: true });
    await ann.client.chat.typing.mutate({ conversationId: conv.id, isTyping: false });
    await expect(ann.client.chat.typing.mutate({ conversationId: conv.id, isTyping: true })).rejects.toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
  });

  it('INTERNAL_SERVER_ERROR carries a request id and no internals', async () => {
    const store = await createStore({ kind: 'pglite', dataDir: 'memory://' });
    const server = await scope.server({ store });
    const ann = await scope.user(server, 'Ann');
    await store.close();
    const error = (await ann.client.conversations.list.query({}).catch((e: unknown) => e)) as { message: string; data: { code: string; stack?: string } };
    expect(error.data.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toMatch(/^Internal server error \(request [a-z0-9]+\)$/);
    expect(error.data.stack).toBeUndefined();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, store: 'down' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('bad frames', () => {
  it('answers malformed frames and unknown procedures with errors, closes oversized ones, and others carry on', async () => {
    const { server, ann, bob, conv } = await pair({ maxPayloadBytes: 16 * 1024 });
    const raw = await RawSocket.open(server.wsUrl, ann.token);
    scope.defer(() => raw.close());
    raw.send('{not json');
    await raw.waitFor((m) => RawSocket.errorOf(m)?.data.code === 'PARSE_ERROR');
    raw.send(JSON.stringify({ id: 7, method: 'nonsense', params: {} }));
    const unknownMethod = await raw.call(8, 'query', 'no.such.procedure');
    expect(unknownMethod.error?.data.code).toBe('NOT_FOUND');
    expect((await raw.call(9, 'query', 'users.me')).result).toBeDefined();

    const big = await RawSocket.open(server.wsUrl, ann.token);
    big.send('x'.repeat(64 * 1024));
    expect((await big.closed).code).toBe(1009);

    const binary = await RawSocket.open(server.wsUrl, ann.token);
    scope.defer(() => binary.close());
    binary.send(Buffer.from([0, 1, 2, 3]));
    await binary.waitFor((m) => RawSocket.errorOf(m) !== null);

    // Server up, other connections unaffected.
    expect(await bob.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'ok', text: 'still here' })).toMatchObject({ seq: 1 });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await httpClient(server.url, ann.token).users.me.query()).toMatchObject({ id: ann.id });
  });
});
