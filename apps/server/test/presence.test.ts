import { describe, expect, it } from 'vitest';
import { useScope } from './helpers/scope.ts';
import { collect } from './helpers/subscribe.ts';

const scope = useScope();
type Presence = { type: 'presence'; userId: string; online: boolean; status: string; statusText: string | null; lastSeenAt: Date | null; connections: number };
type Typing = { type: 'typing'; conversationId: string; userId: string; isTyping: boolean };
type Ev = Presence | Typing;

const last = (items: Ev[], userId: string) => [...items].reverse().find((e): e is Presence => e.type === 'presence' && e.userId === userId);

describe('presence', () => {
  it('starts with a snapshot of contacts, then counts several devices once and goes offline with the last', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
    const annSees = await collect(ann.client.chat.presence, {});
    await annSees.until((items) => last(items, bob.id)?.online === true);
    expect(last(annSees.items, ann.id)?.online).toBe(true);

    const bobPhone = scope.ws(server, bob.token);
    await bobPhone.client.users.me.query();
    await annSees.until((items) => last(items, bob.id)?.connections === 2);
    expect(last(annSees.items, bob.id)?.online).toBe(true);

    await bobPhone.close();
    await annSees.until((items) => last(items, bob.id)?.connections === 1);
    expect(last(annSees.items, bob.id)?.online).toBe(true);
    await bob.handle.close();
    const off = await annSees.until((items) => last(items, bob.id)?.online === false);
    expect(last(off, bob.id)?.lastSeenAt).toBeInstanceOf(Date);
  });

  it('setStatus validates, persists and reaches contacts and the user’s other devices', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const stranger = await scope.user(server, 'Stranger');
    await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
    const bobSees = await collect(bob.client.chat.presence, {});
    const annTablet = scope.ws(server, ann.token);
    const annOtherDevice = await collect(annTablet.client.chat.presence, {});
    const strangerSees = await collect(stranger.client.chat.presence, {});
    const user = await ann.client.chat.setStatus.mutate({ status: 'busy', text: 'in a meeting' });
    expect(user).toMatchObject({ id: ann.id, status: 'busy', statusText: 'in a meeting', online: true });
    for (const sub of [bobSees, annOtherDevice]) {
      await sub.until((items) => last(items, ann.id)?.status === 'busy');
      expect(last(sub.items, ann.id)?.statusText).toBe('in a meeting');
    }
    expect((await ann.client.users.me.query()).status).toBe('busy');
    await expect(ann.client.chat.setStatus.mutate({ status: 'sleeping' as never })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('status') });
    expect(strangerSees.items.some((e) => e.type === 'presence' && e.userId === ann.id)).toBe(false);
  });
});

describe('typing', () => {
  it('reaches other members, coalesces repeats, and is cleared after the quiet time', async () => {
    const server = await scope.server({ typingTimeoutMs: 600 });
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
    const bobSees = await collect(bob.client.chat.presence, {});
    const annSees = await collect(ann.client.chat.presence, {});
    const typingOf = (items: Ev[]) => items.filter((e): e is Typing => e.type === 'typing');

    for (let i = 0; i < 5; i++) await ann.client.chat.typing.mutate({ conversationId: conv.id, isTyping: true });
    await bobSees.until((items) => typingOf(items).length >= 1);
    const cleared = await bobSees.until((items) => typingOf(items).length >= 2, 5000);
    expect(typingOf(cleared).map((e) => [e.userId, e.isTyping])).toEqual([
      [ann.id, true],
      [ann.id, false],
    ]);
    expect(typingOf(annSees.items)).toEqual([]);

    await ann.client.chat.typing.mutate({ conversationId: conv.id, isTyping: true });
    await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'x', text: 'done typing' });
    const afterSend = await bobSees.until((items) => typingOf(items).length >= 4);
    expect(typingOf(afterSend).slice(2).map((e) => e.isTyping)).toEqual([true, false]);
  });
});
