import { describe, expect, it } from 'vitest';
import { createStore, type Message } from '@parley/db';
import { useScope } from './helpers/scope.ts';
import { collect } from './helpers/subscribe.ts';
import { startTestServer } from './helpers/test-server.ts';

const scope = useScope();
type Tracked<T> = { id: string; data: T };
type MessageEvent = { type: 'message.created'; message: Message };

const texts = (items: Array<Tracked<MessageEvent>>) => items.map((i) => i.data.message.text);

describe('conversations', () => {
  it('creates, lists with last message and unread count, and pages history', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id], title: 'Lunch' });
    expect(conv.memberIds.sort()).toEqual([ann.id, bob.id].sort());
    expect(conv.createdAt).toBeInstanceOf(Date);

    for (let i = 1; i <= 7; i++) {
      await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: `m${i}`, text: `hello ${i}` });
    }
    const list = await bob.client.conversations.list.query({});
    expect(list.items).toHaveLength(1);
    expect(list.items[0]?.lastMessage?.text).toBe('hello 7');
    expect(list.items[0]?.unreadCount).toBe(7);
    expect((await ann.client.conversations.list.query({})).items[0]?.unreadCount).toBe(0);

    const page1 = await bob.client.conversations.history.query({ conversationId: conv.id, limit: 3 });
    expect(page1.messages.map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(page1.nextBeforeSeq).toBe(5);
    const page2 = await bob.client.conversations.history.query({ conversationId: conv.id, beforeSeq: 5, limit: 3 });
    expect(page2.messages.map((m) => m.seq)).toEqual([2, 3, 4]);
    const page3 = await bob.client.conversations.history.query({ conversationId: conv.id, beforeSeq: 2, limit: 3 });
    expect(page3.messages.map((m) => m.seq)).toEqual([1]);
    expect(page3.nextBeforeSeq).toBeNull();
  });

  it('pages the conversation list with a cursor, most recent first', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const others = await Promise.all(['B', 'C', 'D', 'E', 'F'].map((n) => scope.user(server, n)));
    const convs = [];
    for (const other of others) convs.push(await ann.client.conversations.create.mutate({ memberIds: [other.id] }));
    await ann.client.chat.send.mutate({ conversationId: convs[1]!.id, clientMessageId: 'x', text: 'bump' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = await ann.client.conversations.list.query({ limit: 2, cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen[0]).toBe(convs[1]!.id);
  });
});

describe('chat.send', () => {
  it('gives gapless seqs to concurrent senders and stores a repeated clientMessageId once', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
    const sends = [];
    for (let i = 0; i < 30; i++) {
      const who = i % 2 ? ann : bob;
      sends.push(who.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: `c${i}`, text: `t${i}` }));
    }
    const results = await Promise.all(sends);
    expect(results.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    const first = await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'dup', text: 'once' });
    const again = await Promise.all([1, 2, 3].map(() => ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'dup', text: 'once' })));
    for (const m of again) expect(m).toEqual(first);
    const history = await ann.client.conversations.history.query({ conversationId: conv.id, limit: 100 });
    expect(history.messages).toHaveLength(31);
  });

  it('fans a message out to every member subscription, in seq order, the sender included', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const cat = await scope.user(server, 'Cat');
    const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id, cat.id] });
    const bobOne = await collect(bob.client.chat.messages, { conversationId: conv.id });
    const catAll = await collect(cat.client.chat.messages, {});
    const annAll = await collect(ann.client.chat.messages, {});
    for (let i = 1; i <= 5; i++) await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: `k${i}`, text: `m${i}` });
    for (const sub of [bobOne, catAll, annAll]) {
      const items = (await sub.count(5)) as Array<Tracked<MessageEvent>>;
      expect(texts(items)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(items[0]?.data.type).toBe('message.created');
    }
  });

  it('starts following a conversation created after the all-conversations subscription began', async () => {
    const server = await scope.server();
    const ann = await scope.user(server, 'Ann');
    const bob = await scope.user(server, 'Bob');
    const bobAll = await collect(bob.client.chat.messages, {});
    const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
    await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'a', text: 'first' });
    const items = (await bobAll.count(1)) as Array<Tracked<MessageEvent>>;
    expect(items[0]?.data.message.text).toBe('first');
  });
});

describe('resume with lastEventId', () => {
  for (const form of ['one conversation', 'all conversations'] as const) {
    it(`(${form}) gets every missed message in order, none twice, while others keep sending`, async () => {
      const server = await scope.server();
      const ann = await scope.user(server, 'Ann');
      const bob = await scope.user(server, 'Bob');
      const cat = await scope.user(server, 'Cat');
      const convA = await ann.client.conversations.create.mutate({ memberIds: [bob.id, cat.id] });
      const convB = await cat.client.conversations.create.mutate({ memberIds: [bob.id] });
      const input = form === 'one conversation' ? { conversationId: convA.id } : {};
      const wanted = (c: string) => form === 'all conversations' || c === convA.id;

      let sent: Message[] = [];
      const sender = (async () => {
        for (let i = 0; i < 40; i++) {
          const [conv, who] = i % 3 === 0 ? [convB, cat] : [convA, i % 2 ? ann : cat];
          sent.push(await who.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: `s${i}`, text: `${conv.id}:${i}` }));
        }
      })();

      const first = await collect(bob.client.chat.messages, input);
      const firstItems = (await first.count(5)) as Array<Tracked<MessageEvent>>;
      first.unsubscribe();
      const lastId = firstItems[firstItems.length - 1]!.id;
      const seenIds = firstItems.map((i) => i.data.message.id);

      // Away while the sender goes on.
      await new Promise((r) => setTimeout(r, 150));
      const second = await collect(bob.client.chat.messages, { ...input, lastEventId: lastId });
      await sender;
      const startIndex = sent.findIndex((m) => m.id === firstItems[0]!.data.message.id);
      const expected = sent.slice(startIndex).filter((m) => wanted(m.conversationId));
      const rest = (await second.until((items) => seenIds.length + items.length >= expected.length)) as Array<Tracked<MessageEvent>>;
      await new Promise((r) => setTimeout(r, 200));
      const all = [...seenIds, ...rest.map((i) => i.data.message.id)];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(expected.map((m) => m.id).sort());
      // In seq order per conversation.
      for (const convId of [convA.id, convB.id]) {
        const seqs = rest.filter((i) => i.data.message.conversationId === convId).map((i) => i.data.message.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
      sent = [];
    });
  }

  it('resumes on its own through the wsLink after the server restarts, missing nothing', async () => {
    const store = await createStore({ kind: 'pglite', dataDir: 'memory://' });
    scope.defer(() => store.close());
    const first = await startTestServer({ store });
    const port = first.port;
    const ann = await scope.user(first, 'Ann');
    const bob = await scope.user(first, 'Bob');
    const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
    const sub = await collect(bob.client.chat.messages, { conversationId: conv.id });
    const all = await collect(bob.client.chat.messages, {});
    for (let i = 1; i <= 3; i++) await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: `a${i}`, text: `before ${i}` });
    await sub.count(3);
    await all.count(3);

    // Instance goes away; messages keep arriving through another instance on the same store.
    await first.close();
    const other = await scope.server({ store });
    const annElsewhere = scope.ws(other, ann.token).client;
    for (let i = 1; i <= 4; i++) await annElsewhere.chat.send.mutate({ conversationId: conv.id, clientMessageId: `b${i}`, text: `during ${i}` });
    // The original address comes back; bob's client reconnects and resubscribes with its last id.
    const back = await startTestServer({ store, port });
    scope.defer(() => back.close());
    await annElsewhere.chat.send.mutate({ conversationId: conv.id, clientMessageId: 'c1', text: 'after' });
    for (const s of [sub, all]) {
      const items = (await s.count(8)) as Array<Tracked<MessageEvent>>;
      expect(texts(items)).toEqual(['before 1', 'before 2', 'before 3', 'during 1', 'during 2', 'during 3', 'during 4', 'after']);
    }
  });
});
