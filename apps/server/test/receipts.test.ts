import { describe, expect, it } from 'vitest';
import { useScope } from './helpers/scope.ts';
import { collect } from './helpers/subscribe.ts';

const scope = useScope();
type Receipt = { type: 'receipt'; conversationId: string; messageId: string; seq: number; updatedBy: string; oldStatus: string; newStatus: string; timestamp: Date };

async function room() {
  const server = await scope.server();
  const ann = await scope.user(server, 'Ann');
  const bob = await scope.user(server, 'Bob');
  const conv = await ann.client.conversations.create.mutate({ memberIds: [bob.id] });
  const sent = [];
  for (let i = 1; i <= 5; i++) sent.push(await ann.client.chat.send.mutate({ conversationId: conv.id, clientMessageId: `r${i}`, text: `m${i}` }));
  return { server, ann, bob, conv, sent };
}

describe('receipts', () => {
  it('moves delivered then read horizons, broadcasts only changes, never backwards', async () => {
    const { ann, bob, conv, sent } = await room();
    const annSees = await collect(ann.client.chat.receipts, { conversationId: conv.id });
    expect(await bob.client.chat.markDelivered.mutate({ conversationId: conv.id, seq: 3 })).toEqual({ changed: true });
    expect(await bob.client.chat.markDelivered.mutate({ conversationId: conv.id, seq: 2 })).toEqual({ changed: false });
    expect(await bob.client.chat.markRead.mutate({ conversationId: conv.id, seq: 2 })).toEqual({ changed: true });
    expect(await bob.client.chat.markRead.mutate({ conversationId: conv.id, seq: 2 })).toEqual({ changed: false });
    // Past the last message: clamped to it.
    expect(await bob.client.chat.markRead.mutate({ conversationId: conv.id, seq: 99 })).toEqual({ changed: true });
    expect(await bob.client.chat.markDelivered.mutate({ conversationId: conv.id, seq: 5 })).toEqual({ changed: false });
    const items = (await annSees.count(3)) as Array<{ id: string; data: Receipt }>;
    expect(items.map((i) => [i.data.seq, i.data.oldStatus, i.data.newStatus])).toEqual([
      [3, 'sent', 'delivered'],
      [2, 'delivered', 'read'],
      [5, 'sent', 'read'],
    ]);
    expect(items[2]?.data.messageId).toBe(sent[4]?.id);
    expect(items[0]?.data.updatedBy).toBe(bob.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(annSees.items).toHaveLength(3);
  });

  it('does not let a user mark their own messages', async () => {
    const { ann, conv } = await room();
    expect(await ann.client.chat.markRead.mutate({ conversationId: conv.id, seq: 5 })).toEqual({ changed: false });
    expect(await ann.client.chat.markDelivered.mutate({ conversationId: conv.id, seq: 5 })).toEqual({ changed: false });
  });

  it('drives unread counts from the read horizon', async () => {
    const { bob, conv } = await room();
    const unread = async () => (await bob.client.conversations.list.query({})).items[0]?.unreadCount;
    expect(await unread()).toBe(5);
    await bob.client.chat.markRead.mutate({ conversationId: conv.id, seq: 2 });
    expect(await unread()).toBe(3);
    await bob.client.chat.markRead.mutate({ conversationId: conv.id, seq: 5 });
    expect(await unread()).toBe(0);
  });

  it('resumes chat.receipts from lastEventId with nothing lost or repeated', async () => {
    const { ann, bob, conv } = await room();
    for (const input of [{ conversationId: conv.id }, {}]) {
      const sub = await collect(ann.client.chat.receipts, input);
      await bob.client.chat.markDelivered.mutate({ conversationId: conv.id, seq: input.conversationId ? 1 : 3 });
      const [first] = (await sub.count(1)) as Array<{ id: string; data: Receipt }>;
      sub.unsubscribe();
      const base = input.conversationId ? 1 : 3;
      await bob.client.chat.markDelivered.mutate({ conversationId: conv.id, seq: base + 1 });
      await bob.client.chat.markRead.mutate({ conversationId: conv.id, seq: base + 1 });
      const again = await collect(ann.client.chat.receipts, { ...input, lastEventId: first!.id });
      const items = (await again.count(2)) as Array<{ id: string; data: Receipt }>;
      expect(items.map((i) => [i.data.seq, i.data.newStatus])).toEqual([
        [base + 1, 'delivered'],
        [base + 1, 'read'],
      ]);
      again.unsubscribe();
    }
  });
});
