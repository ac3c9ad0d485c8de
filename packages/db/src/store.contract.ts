import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreInputError } from './errors.ts';
import type { Conversation, DeviceRecord, Message, OutboxNotification, Receipt, Store, StreamRead } from './store.ts';

export interface StoreContractOptions {
  /**
   * `makeStore` returns separate clients of one database (e.g. two connection pools), so concurrent
   * writes are also spread over several store instances.
   * @default false
   */
  sharedDatabase?: boolean;
  /**
   * What this run of the adapter guarantees beyond the basics. A test that needs a capability the run
   * lacks is declared but not run (an in-process emulator, say, that lacks what the real service does).
   * @default every capability
   */
  capabilities?: readonly StoreCapability[];
}

/** Guarantees some tests need from the backend under concurrent writers. */
export type StoreCapability =
  /**
   * A write made on condition that the record is still as it was read fails when it changed meanwhile
   * (Postgres row locks, Firestore update-time preconditions).
   */
  'conditionalWrites';

export const ALL_STORE_CAPABILITIES: readonly StoreCapability[] = ['conditionalWrites'];

/** How many store instances share the concurrent writes when the adapter allows it. */
const WRITERS = 3;
const SECOND = 1_000;

const uid = (prefix: string): string => `${prefix}-${randomUUID()}`;
const positionOf = (item: Message | Receipt): number => ('rseq' in item ? item.rseq : item.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (ids: readonly string[]): string[] => [...ids].sort();

/** Items of one conversation are contiguous and in ascending position. */
function expectGrouped(items: Array<Message | Receipt>): void {
  const done = new Set<string>();
  items.forEach((item, i) => {
    const previous = items[i - 1];
    if (previous?.conversationId === item.conversationId) {
      expect(positionOf(item)).toBeGreaterThan(positionOf(previous));
      return;
    }
    expect(done.has(item.conversationId)).toBe(false);
    if (previous) done.add(previous.conversationId);
  });
}

function expectTimesFollowPositions(items: Array<{ position: number; at: Date }>): void {
  const ordered = [...items].sort((a, b) => a.position - b.position);
  ordered.slice(1).forEach((item, i) => expect(item.at.getTime()).toBeGreaterThanOrEqual(ordered[i]!.at.getTime()));
}

/**
 * The behaviour every `Store` adapter must have. Each test creates its own users and conversations
 * (random ids), so tests share a database without depending on each other.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>, opts: StoreContractOptions = {}): void {
  const capabilities = new Set(opts.capabilities ?? ALL_STORE_CAPABILITIES);
  /** True when this run has every capability a test requires. */
  const has = (...required: StoreCapability[]): boolean => required.every((c) => capabilities.has(c));

  describe(`Store contract: ${name}`, () => {
    let store: Store;
    /** Stores taking part in concurrent writes: `store` itself, plus more over the same data if any. */
    let writers: Store[] = [];

    beforeAll(async () => {
      store = await makeStore();
      writers = [store, ...(opts.sharedDatabase ? await Promise.all(range(2, WRITERS).map(() => makeStore())) : [])];
    });

    afterAll(async () => {
      await Promise.all(writers.map((s) => s.close()));
    });

    /** One member's horizons. */
    const horizons = async (conversationId: string, userId: string) => (await store.horizonsOf(conversationId, [userId])).get(userId);

    const writer = (i: number): Store => writers[i % writers.length]!;

    async function newUsers(count: number): Promise<string[]> {
      const ids = range(1, count).map(() => uid('u'));
      for (const id of ids) await store.upsertUser({ id, displayName: id.slice(0, 6) });
      return ids;
    }

    function newConversation(memberIds: string[], title: string | null = null): Promise<Conversation> {
      return store.createConversation({ memberIds, title });
    }

    async function send(conversationId: string, senderId: string, count = 1): Promise<Message[]> {
      const sent: Message[] = [];
      for (let i = 0; i < count; i++) {
        const { message } = await store.appendMessage({ conversationId, senderId, clientMessageId: uid('cm'), text: `hello ${i}` });
        sent.push(message);
      }
      return sent;
    }

    /**
     * The store clock once its millisecond has passed `t`. Dates carry milliseconds while a store may
     * keep finer times, so this is the first `since` that surely excludes an item created at `t`.
     */
    async function nowAfter(t: Date): Promise<Date> {
      for (;;) {
        const now = await store.now();
        if (now.getTime() > t.getTime()) return now;
      }
    }

    /**
     * A `since` strictly between the items created before `t` and those created after this returns.
     * A store clock may tick in whole milliseconds (PGlite does), so an item written right after
     * `now()` can carry the very same time and would not be "strictly after" it.
     */
    async function sinceMark(t: Date): Promise<Date> {
      const since = await nowAfter(t);
      await nowAfter(since);
      return since;
    }

    describe('lifecycle', () => {
      it('names its kind, answers ping, and migrates idempotently', async () => {
        expect(store.kind).toMatch(/\w/);
        await expect(store.ping()).resolves.toBeUndefined();
        await store.migrate();
        await store.migrate();
      });

      it('now() is the clock messages are stamped with', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const first = await store.now();
        const second = await store.now();
        expect(second.getTime()).toBeGreaterThanOrEqual(first.getTime());
        expect(Math.abs(first.getTime() - Date.now())).toBeLessThan(60 * SECOND);
        const [message] = await send(conversation.id, a!);
        expect(message!.createdAt.getTime()).toBeGreaterThanOrEqual(second.getTime());
      });
    });

    describe('users', () => {
      it('upsertUser creates a signed-in user, online by default', async () => {
        const id = uid('u');
        const user = await store.upsertUser({ id, displayName: 'Ann' });
        expect(user).toMatchObject({ id, displayName: 'Ann', status: 'online', statusText: null, lastSeenAt: null, isSignedIn: true, lastSignOutAt: null });
        expect(user.updatedAt.getTime()).toBeGreaterThanOrEqual(user.createdAt.getTime());
        expect(await store.getUser(id)).toEqual(user);
      });

      it('upsertUser of an existing user changes only the display name', async () => {
        const [id] = await newUsers(1);
        const before = await store.setUserStatus(id!, { status: 'busy', statusText: 'focus' });
        const after = await store.upsertUser({ id: id!, displayName: 'Renamed' });
        expect(after).toMatchObject({ displayName: 'Renamed', status: 'busy', statusText: 'focus', createdAt: before.createdAt });
        expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
      });

      it('getUser and getUsers return only existing users', async () => {
        const [a, b] = await newUsers(2);
        expect(await store.getUser(uid('missing'))).toBeNull();
        const found = await store.getUsers([a!, uid('missing'), b!]);
        expect(sorted(found.map((u) => u.id))).toEqual(sorted([a!, b!]));
        expect(await store.getUsers([])).toEqual([]);
      });

      it('setUserStatus stores status and text, and bumps updatedAt', async () => {
        const [id] = await newUsers(1);
        const before = await store.getUser(id!);
        const user = await store.setUserStatus(id!, { status: 'away', statusText: 'lunch' });
        expect(user).toMatchObject({ id, status: 'away', statusText: 'lunch' });
        expect(user.updatedAt.getTime()).toBeGreaterThanOrEqual(before!.updatedAt.getTime());
        expect(await store.setUserStatus(id!, { status: 'offline', statusText: null })).toMatchObject({ status: 'offline', statusText: null });
        expect(await store.getUser(id!)).toMatchObject({ status: 'offline', statusText: null });
      });

      it('setUserStatus of an unknown user rejects', async () => {
        await expect(store.setUserStatus(uid('missing'), { status: 'away', statusText: null })).rejects.toThrow();
      });

      it('setLastSeen stores the time', async () => {
        const [id] = await newUsers(1);
        const at = new Date(Date.now() - 5 * SECOND);
        await store.setLastSeen(id!, at);
        expect((await store.getUser(id!))!.lastSeenAt).toEqual(at);
      });

      it(`concurrent changes of different fields on ${WRITERS} store instances (when shared) all stay`, async () => {
        const ids = await newUsers(5);
        const seen = new Date(Date.now() - 7 * SECOND);
        await Promise.all(
          ids.flatMap((id, i) => [
            writer(i).upsertUser({ id, displayName: `renamed ${i}` }),
            writer(i + 1).setUserStatus(id, { status: 'busy', statusText: `status ${i}` }),
            writer(i + 2).setLastSeen(id, seen),
          ]),
        );
        for (const [i, id] of ids.entries()) {
          expect(await store.getUser(id)).toMatchObject({ displayName: `renamed ${i}`, status: 'busy', statusText: `status ${i}`, lastSeenAt: seen, isSignedIn: true });
        }
      });
    });

    describe('sessions', () => {
      it('createSession starts an active session', async () => {
        const [userId] = await newUsers(1);
        const id = uid('s');
        const session = await store.createSession({ id, userId: userId! });
        expect(session).toMatchObject({ id, userId, isActive: true, signedOutAt: null });
        expect(session.lastHeartbeatAt.getTime()).toBeGreaterThanOrEqual(session.createdAt.getTime());
        expect(await store.getSession(id)).toEqual(session);
        expect(await store.getSession(uid('missing'))).toBeNull();
      });

      it('touchSessions moves heartbeats of active sessions forward only, in one batch', async () => {
        const [userId] = await newUsers(1);
        const [a, b, ended] = [uid('s'), uid('s'), uid('s')];
        for (const id of [a, b, ended]) await store.createSession({ id, userId: userId! });
        await store.endSession(ended, new Date());
        const endedBefore = await store.getSession(ended);
        const later = new Date((await store.now()).getTime() + 60 * SECOND);

        await store.touchSessions([a, b, ended, uid('missing')], later);
        expect((await store.getSession(a))!.lastHeartbeatAt).toEqual(later);
        expect((await store.getSession(b))!.lastHeartbeatAt).toEqual(later);
        expect(await store.getSession(ended)).toEqual(endedBefore);

        await store.touchSessions([a], new Date(later.getTime() - 30 * SECOND));
        expect((await store.getSession(a))!.lastHeartbeatAt).toEqual(later);
        await store.touchSessions([], later);
      });

      it('endSession signs the user out only with its last active session', async () => {
        const [userId] = await newUsers(1);
        const [a, b] = [uid('s'), uid('s')];
        await store.createSession({ id: a, userId: userId! });
        await store.createSession({ id: b, userId: userId! });

        const firstAt = new Date(Date.now() - 2 * SECOND);
        expect(await store.endSession(a, firstAt)).toEqual({ ended: true, userSignedOut: false });
        expect(await store.getSession(a)).toMatchObject({ isActive: false, signedOutAt: firstAt });
        expect(await store.getUser(userId!)).toMatchObject({ isSignedIn: true, lastSignOutAt: null });
        expect(await store.endSession(a, new Date())).toEqual({ ended: false, userSignedOut: false });

        const lastAt = new Date(Date.now() - SECOND);
        expect(await store.endSession(b, lastAt)).toEqual({ ended: true, userSignedOut: true });
        expect(await store.getUser(userId!)).toMatchObject({ isSignedIn: false, lastSignOutAt: lastAt });
        expect(await store.endSession(uid('missing'), new Date())).toEqual({ ended: false, userSignedOut: false });
      });

      it('signing in again (upsertUser, or a new session) marks the user signed in', async () => {
        const [userId] = await newUsers(1);
        const a = uid('s');
        await store.createSession({ id: a, userId: userId! });
        await store.endSession(a, new Date());
        expect((await store.getUser(userId!))!.isSignedIn).toBe(false);
        await store.createSession({ id: uid('s'), userId: userId! });
        expect((await store.getUser(userId!))!.isSignedIn).toBe(true);

        const [other] = await newUsers(1);
        const s = uid('s');
        await store.createSession({ id: s, userId: other! });
        await store.endSession(s, new Date());
        expect(await store.upsertUser({ id: other!, displayName: 'back' })).toMatchObject({ isSignedIn: true });
      });

      it(`ending every session of a user at once, on ${WRITERS} store instances (when shared), signs them out exactly once`, async () => {
        const users = await newUsers(3);
        await Promise.all(
          users.map(async (userId) => {
            const ids = range(1, 4).map(() => uid('s'));
            for (const id of ids) await store.createSession({ id, userId });
            const at = new Date(Date.now() - SECOND);
            // Every session twice: each is ended once, and the last one to end signs the user out.
            const results = await Promise.all([...ids, ...ids].map((id, i) => writer(i).endSession(id, at)));
            expect(results.filter((r) => r.ended)).toHaveLength(ids.length);
            expect(results.filter((r) => r.userSignedOut)).toHaveLength(1);
            expect(await store.getUser(userId)).toMatchObject({ isSignedIn: false, lastSignOutAt: at });
          }),
        );
      });

      it(`a session started while another ends, on ${WRITERS} store instances (when shared), keeps the user signed in`, async () => {
        const users = await newUsers(6);
        await Promise.all(
          users.map(async (userId, i) => {
            const ending = uid('s');
            const starting = uid('s');
            await store.createSession({ id: ending, userId });
            const [ended] = await Promise.all([
              writer(i).endSession(ending, new Date()),
              writer(i + 1).createSession({ id: starting, userId }),
            ]);
            expect(ended.ended).toBe(true);
            expect(await store.getSession(starting)).toMatchObject({ isActive: true });
            expect((await store.getUser(userId))!.isSignedIn).toBe(true);
          }),
        );
      });

      it.runIf(has('conditionalWrites'))(`concurrent touches on ${WRITERS} store instances (when shared) keep the latest heartbeat`, async () => {
        const [userId] = await newUsers(1);
        const ids = range(1, 3).map(() => uid('s'));
        for (const id of ids) await store.createSession({ id, userId: userId! });
        const base = (await store.now()).getTime() + 60 * SECOND;
        const times = range(1, 20).map((i) => new Date(base + i * SECOND));
        const touches = times.flatMap((at) => ids.map((id) => ({ id, at })));
        touches.sort(() => Math.random() - 0.5);
        await Promise.all(touches.map(({ id, at }, i) => writer(i).touchSessions([id], at)));
        for (const id of ids) expect((await store.getSession(id))!.lastHeartbeatAt).toEqual(times.at(-1));
      });

      it('listIdleSessions lists active sessions older than the bound, oldest first', async () => {
        const [userId] = await newUsers(1);
        const [s1, s2, s3, ended] = [uid('s'), uid('s'), uid('s'), uid('s')];
        for (const id of [s1, s2, s3, ended]) await store.createSession({ id, userId: userId! });
        // Far in the future, so that every other session of the database is older than these.
        const base = (await store.now()).getTime() + 100 * 365 * 24 * 3600 * SECOND;
        await store.touchSessions([ended], new Date(base));
        await store.endSession(ended, new Date());
        await store.touchSessions([s2], new Date(base + 2 * SECOND));
        await store.touchSessions([s1], new Date(base + 1 * SECOND));
        await store.touchSessions([s3], new Date(base + 3 * SECOND));

        const idle = await store.listIdleSessions(new Date(base + 2.5 * SECOND), 100_000);
        expect(idle.slice(-2).map((s) => s.id)).toEqual([s1, s2]);
        expect(idle.every((s) => s.isActive)).toBe(true);
        idle.slice(1).forEach((s, i) => expect(s.lastHeartbeatAt.getTime()).toBeGreaterThanOrEqual(idle[i]!.lastHeartbeatAt.getTime()));
        expect(await store.listIdleSessions(new Date(base + 2.5 * SECOND), idle.length - 1)).toHaveLength(idle.length - 1);
      });
    });

    describe('conversations', () => {
      it('createConversation stores members and title; getConversation reads it back', async () => {
        const [a, b, c] = await newUsers(3);
        const conversation = await newConversation([a!, b!, c!], 'Team');
        expect(conversation).toMatchObject({ title: 'Team' });
        expect(conversation.id).toMatch(/\w/);
        expect(sorted(conversation.memberIds)).toEqual(sorted([a!, b!, c!]));
        const read = await store.getConversation(conversation.id);
        expect({ ...read, memberIds: sorted(read!.memberIds) }).toEqual({ ...conversation, memberIds: sorted(conversation.memberIds) });
        expect(await store.getConversation(uid('missing'))).toBeNull();
        expect((await newConversation([a!, b!])).title).toBeNull();
      });

      it('isMember, conversationIdsOf and contactIdsOf follow memberships', async () => {
        const [a, b, c, d] = await newUsers(4);
        const one = await newConversation([a!, b!, c!]);
        const two = await newConversation([a!, c!, d!]);
        expect(await store.isMember(one.id, a!)).toBe(true);
        expect(await store.isMember(one.id, d!)).toBe(false);
        expect(await store.isMember(uid('missing'), a!)).toBe(false);
        expect(sorted(await store.conversationIdsOf(a!))).toEqual(sorted([one.id, two.id]));
        expect(await store.conversationIdsOf(d!)).toEqual([two.id]);
        expect(sorted(await store.contactIdsOf(a!))).toEqual(sorted([b!, c!, d!]));
        expect(sorted(await store.contactIdsOf(d!))).toEqual(sorted([a!, c!]));
        expect(await store.contactIdsOf(uid('missing'))).toEqual([]);
      });

      it('listConversations puts the most recently active first, with last message and unread count', async () => {
        const [a, b] = await newUsers(2);
        const c1 = await newConversation([a!, b!], 'one');
        const c2 = await newConversation([a!, b!], 'two');
        await nowAfter(c2.createdAt);
        const c3 = await newConversation([a!, b!], 'three');
        await nowAfter(c3.createdAt);
        const fromB = await send(c1.id, b!, 2);

        const page = await store.listConversations(a!, { limit: 10 });
        expect(page.items.map((s) => s.id)).toEqual([c1.id, c3.id, c2.id]);
        expect(page.nextCursor).toBeNull();
        expect(page.items[0]).toMatchObject({ title: 'one', lastMessage: fromB[1], unreadCount: 2 });
        expect(sorted(page.items[0]!.memberIds)).toEqual(sorted([a!, b!]));
        expect(page.items[1]).toMatchObject({ title: 'three', lastMessage: null, unreadCount: 0, createdAt: c3.createdAt });

        await nowAfter(fromB[1]!.createdAt);
        const [own] = await send(c2.id, a!);
        const after = await store.listConversations(a!, { limit: 10 });
        expect(after.items.map((s) => s.id)).toEqual([c2.id, c1.id, c3.id]);
        expect(after.items[0]).toMatchObject({ lastMessage: own, unreadCount: 0 });
        expect((await store.listConversations(b!, { limit: 10 })).items[0]).toMatchObject({ id: c2.id, unreadCount: 1 });

        await store.markReceipt({ conversationId: c1.id, userId: a!, seq: fromB[0]!.seq, kind: 'read' });
        expect((await store.listConversations(a!, { limit: 10 })).items[1]).toMatchObject({ id: c1.id, unreadCount: 1 });
        expect(await store.listConversations(uid('missing'), { limit: 10 })).toEqual({ items: [], nextCursor: null });
      });

      it('listConversations pages with a cursor, each conversation exactly once', async () => {
        const [a, b] = await newUsers(2);
        const conversations: Conversation[] = [];
        for (let i = 0; i < 5; i++) conversations.push(await newConversation([a!, b!], `c${i}`));
        await nowAfter(conversations[4]!.createdAt);
        await send(conversations[2]!.id, b!);

        const all = await store.listConversations(a!, { limit: 5 });
        expect(all.nextCursor).toBeNull();
        expect(all.items[0]!.id).toBe(conversations[2]!.id);
        const activity = all.items.map((s) => (s.lastMessage?.createdAt ?? s.createdAt).getTime());
        activity.slice(1).forEach((t, i) => expect(t).toBeLessThanOrEqual(activity[i]!));

        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<Store['listConversations']>> = await store.listConversations(a!, { limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          paged.push(...page.items.map((s) => s.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(paged).toEqual(all.items.map((s) => s.id));
      });

      it('streamHeads gives the newest position of streams with items after `since`', async () => {
        const [a, b] = await newUsers(2);
        const [busy, empty, old] = [await newConversation([a!, b!]), await newConversation([a!, b!]), await newConversation([a!, b!])];
        const [early] = await send(old.id, a!);
        const oldReceipt = await store.markReceipt({ conversationId: old.id, userId: b!, seq: 1, kind: 'read' });
        const since = await sinceMark(oldReceipt!.timestamp);
        await send(busy.id, a!, 3);
        await store.markReceipt({ conversationId: busy.id, userId: b!, seq: 2, kind: 'delivered' });
        await store.markReceipt({ conversationId: busy.id, userId: b!, seq: 3, kind: 'read' });
        const ids = [busy.id, empty.id, old.id];

        expect(await store.streamHeads('messages', ids, since)).toEqual({ [busy.id]: 3 });
        expect(await store.streamHeads('messages', ids, new Date(0))).toEqual({ [busy.id]: 3, [old.id]: 1 });
        expect(await store.streamHeads('receipts', ids, since)).toEqual({ [busy.id]: 2 });
        expect(await store.streamHeads('receipts', ids, new Date(0))).toEqual({ [busy.id]: 2, [old.id]: 1 });
        expect(await store.streamHeads('messages', ids, early!.createdAt)).toMatchObject({ [busy.id]: 3 });
        expect(await store.streamHeads('messages', [], new Date(0))).toEqual({});
      });
    });

    describe('messages', () => {
      it('appendMessage numbers messages 1, 2, 3… and stamps them in order', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const first = await store.appendMessage({ conversationId: conversation.id, senderId: a!, clientMessageId: 'x1', text: 'hi' });
        expect(first.created).toBe(true);
        expect(first.message).toMatchObject({ conversationId: conversation.id, seq: 1, senderId: a, clientMessageId: 'x1', text: 'hi' });
        expect(first.message.id).toMatch(/\w/);
        const more = [first.message, ...(await send(conversation.id, b!, 2))];
        expect(more.map((m) => m.seq)).toEqual([1, 2, 3]);
        expect(new Set(more.map((m) => m.id)).size).toBe(3);
        expectTimesFollowPositions(more.map((m) => ({ position: m.seq, at: m.createdAt })));
      });

      it('a repeated clientMessageId returns the first message and spends no seq', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const input = { conversationId: conversation.id, senderId: a!, clientMessageId: uid('cm'), text: 'once' };
        const first = await store.appendMessage(input);
        const again = await store.appendMessage({ ...input, text: 'twice' });
        expect(again).toEqual({ message: first.message, created: false });
        const otherSender = await store.appendMessage({ ...input, senderId: b! });
        expect(otherSender).toMatchObject({ created: true, message: { seq: 2, senderId: b } });
        expect((await send(conversation.id, a!))[0]!.seq).toBe(3);
        expect((await store.history(conversation.id, { limit: 10 })).messages.map((m) => m.text)).toEqual(['once', 'once', 'hello 0']);
      });

      it('appendMessage to an unknown conversation rejects', async () => {
        const [a] = await newUsers(1);
        await expect(store.appendMessage({ conversationId: uid('missing'), senderId: a!, clientMessageId: 'x', text: 'lost' })).rejects.toThrow();
      });

      it(`concurrent senders on ${WRITERS} store instances (when shared) get seqs 1..N without gaps or duplicates`, async () => {
        const [a, b, c] = await newUsers(3);
        const conversation = await newConversation([a!, b!, c!]);
        const senders = [a!, b!, c!];
        const results = await Promise.all(
          range(0, 49).map((i) =>
            writer(i).appendMessage({ conversationId: conversation.id, senderId: senders[i % 3]!, clientMessageId: `p${i}`, text: `m${i}` }),
          ),
        );
        expect(results.every((r) => r.created)).toBe(true);
        expect(results.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(range(1, 50));
        const stored = (await store.history(conversation.id, { limit: 100 })).messages;
        expect(stored.map((m) => m.seq)).toEqual(range(1, 50));
        expect(sorted(stored.map((m) => m.clientMessageId))).toEqual(sorted(range(0, 49).map((i) => `p${i}`)));
        expectTimesFollowPositions(stored.map((m) => ({ position: m.seq, at: m.createdAt })));
        const [summary] = (await store.listConversations(b!, { limit: 1 })).items;
        expect(summary).toMatchObject({ id: conversation.id, lastMessage: stored[49] });
      });

      it('concurrent sends to one conversation through one store instance resolve in seq order', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const resolved: number[] = [];
        const sends = Promise.all(
          range(0, 29).map((i) =>
            store.appendMessage({ conversationId: conversation.id, senderId: i % 2 ? a! : b!, clientMessageId: uid(`o${i}`), text: `m${i}` }).then((r) => void resolved.push(r.message.seq)),
          ),
        );
        // A busy process (as under load) reads the answers that arrived meanwhile in one batch, in
        // whatever order its sockets come up: only calls that were never in flight together stay ordered.
        const until = Date.now() + 300;
        while (Date.now() < until);
        await sends;
        // What the caller publishes as each call returns then reaches subscribers without gaps.
        expect(resolved).toEqual(range(1, 30));
      });

      it('a concurrent duplicate clientMessageId is stored once', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const input = { conversationId: conversation.id, senderId: a!, clientMessageId: uid('cm'), text: 'race' };
        const results = await Promise.all(range(0, 19).map((i) => writer(i).appendMessage(input)));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
        expect(results[0]!.message.seq).toBe(1);
        expect((await send(conversation.id, b!))[0]!.seq).toBe(2);
      });

      it('history pages from the newest, ascending within a page', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const sent = await send(conversation.id, a!, 5);

        const newest = await store.history(conversation.id, { limit: 2 });
        expect(newest).toEqual({ messages: sent.slice(3), nextBeforeSeq: 4 });
        expect(await store.history(conversation.id, { beforeSeq: 4, limit: 2 })).toEqual({ messages: sent.slice(1, 3), nextBeforeSeq: 2 });
        expect(await store.history(conversation.id, { beforeSeq: 2, limit: 2 })).toEqual({ messages: sent.slice(0, 1), nextBeforeSeq: null });
        // Exactly `limit` messages left: no further page, known without a wasted round trip.
        expect(await store.history(conversation.id, { beforeSeq: null, limit: 5 })).toEqual({ messages: sent, nextBeforeSeq: null });
        expect(await store.history(conversation.id, { beforeSeq: 3, limit: 2 })).toEqual({ messages: sent.slice(0, 2), nextBeforeSeq: null });
        expect(await store.history((await newConversation([a!])).id, { limit: 10 })).toEqual({ messages: [], nextBeforeSeq: null });
      });

      it('getMessages returns the existing seqs, ascending', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const sent = await send(conversation.id, b!, 4);
        expect(await store.getMessages(conversation.id, [4, 2, 9])).toEqual([sent[1], sent[3]]);
        expect(await store.getMessages(conversation.id, [])).toEqual([]);
      });
    });

    describe('receipts', () => {
      it('markReceipt moves horizons forward only, read implying delivered, with gapless rseq', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const sent = await send(conversation.id, a!, 3);
        const cid = conversation.id;
        expect(await horizons(cid, b!)).toEqual({ deliveredSeq: 0, readSeq: 0 });

        const delivered = await store.markReceipt({ conversationId: cid, userId: b!, seq: 2, kind: 'delivered' });
        expect(delivered).toMatchObject({ conversationId: cid, rseq: 1, messageId: sent[1]!.id, seq: 2, updatedBy: b, oldStatus: 'sent', newStatus: 'delivered' });
        expect(delivered!.timestamp.getTime()).toBeGreaterThanOrEqual(sent[2]!.createdAt.getTime());
        expect(await horizons(cid, b!)).toEqual({ deliveredSeq: 2, readSeq: 0 });

        expect(await store.markReceipt({ conversationId: cid, userId: b!, seq: 2, kind: 'delivered' })).toBeNull();
        expect(await store.markReceipt({ conversationId: cid, userId: b!, seq: 1, kind: 'delivered' })).toBeNull();

        const read = await store.markReceipt({ conversationId: cid, userId: b!, seq: 1, kind: 'read' });
        expect(read).toMatchObject({ rseq: 2, seq: 1, messageId: sent[0]!.id, oldStatus: 'delivered', newStatus: 'read' });
        const readAll = await store.markReceipt({ conversationId: cid, userId: b!, seq: 3, kind: 'read' });
        expect(readAll).toMatchObject({ rseq: 3, seq: 3, oldStatus: 'sent', newStatus: 'read' });
        expect(await horizons(cid, b!)).toEqual({ deliveredSeq: 3, readSeq: 3 });
        expect(await store.markReceipt({ conversationId: cid, userId: b!, seq: 2, kind: 'read' })).toBeNull();
        expect(await store.markReceipt({ conversationId: cid, userId: b!, seq: 3, kind: 'delivered' })).toBeNull();
        expect(readAll!.timestamp.getTime()).toBeGreaterThanOrEqual(read!.timestamp.getTime());
      });

      it('clamps to the last message and skips the member\'s own messages', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const cid = conversation.id;
        expect(await store.markReceipt({ conversationId: cid, userId: b!, seq: 5, kind: 'read' })).toBeNull();
        const [fromA] = await send(cid, a!);
        await send(cid, b!, 2);

        expect(await store.markReceipt({ conversationId: cid, userId: a!, seq: 1, kind: 'read' })).toBeNull();
        expect(await horizons(cid, a!)).toEqual({ deliveredSeq: 0, readSeq: 0 });

        const lowered = await store.markReceipt({ conversationId: cid, userId: b!, seq: 100, kind: 'read' });
        expect(lowered).toMatchObject({ rseq: 1, seq: 1, messageId: fromA!.id, oldStatus: 'sent', newStatus: 'read' });
        expect(await store.markReceipt({ conversationId: cid, userId: b!, seq: 3, kind: 'read' })).toBeNull();
        expect(await horizons(cid, b!)).toEqual({ deliveredSeq: 1, readSeq: 1 });

        const [later] = await send(cid, a!);
        expect(await store.markReceipt({ conversationId: cid, userId: a!, seq: 100, kind: 'delivered' })).toMatchObject({ rseq: 2, seq: 3, updatedBy: a });
        expect(await store.markReceipt({ conversationId: cid, userId: b!, seq: 100, kind: 'delivered' })).toMatchObject({ rseq: 3, seq: later!.seq, oldStatus: 'sent' });
        expect(await store.markReceipt({ conversationId: cid, userId: b!, seq: 0, kind: 'read' })).toBeNull();
      });

      it('concurrent marks keep rseq gapless and horizons monotonic', async () => {
        const users = await newUsers(4);
        const [sender, ...readers] = users;
        const conversation = await newConversation(users);
        const cid = conversation.id;
        await send(cid, sender!, 10);
        const marks = readers.flatMap((userId) =>
          range(1, 10).flatMap((seq) => (['delivered', 'read'] as const).map((kind) => ({ conversationId: cid, userId: userId!, seq, kind }))),
        );
        marks.sort(() => Math.random() - 0.5);
        const receipts = (await Promise.all(marks.map((mark, i) => writer(i).markReceipt(mark)))).filter((r): r is Receipt => r !== null);

        expect(receipts.map((r) => r.rseq).sort((x, y) => x - y)).toEqual(range(1, receipts.length));
        for (const userId of readers) {
          expect(await horizons(cid, userId!)).toEqual({ deliveredSeq: 10, readSeq: 10 });
          const own = receipts.filter((r) => r.updatedBy === userId).sort((x, y) => x.rseq - y.rseq);
          for (const kind of ['delivered', 'read'] as const) {
            const moves = own.filter((r) => r.newStatus === kind || (kind === 'delivered' && r.oldStatus === 'sent')).map((r) => r.seq);
            expect(moves).toEqual([...moves].sort((x, y) => x - y));
            expect(new Set(moves).size).toBe(moves.length);
          }
        }
        const stream = await store.readStream('receipts', { conversationIds: [cid], after: { [cid]: 0 }, since: null, limit: 1_000 });
        expect(stream).toEqual([...receipts].sort((x, y) => x.rseq - y.rseq));
        expectTimesFollowPositions(stream.map((r) => ({ position: r.rseq, at: r.timestamp })));
      });

      it('horizons of a non-member are zero', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!]);
        expect(await horizons(conversation.id, b!)).toEqual({ deliveredSeq: 0, readSeq: 0 });
      });

      it('horizonsOf reads many members at once, zero for non-members and unknown ids', async () => {
        const [a, b, c, outsider] = await newUsers(4);
        const conversation = await newConversation([a!, b!, c!]);
        const cid = conversation.id;
        await send(cid, a!, 3);
        await store.markReceipt({ conversationId: cid, userId: b!, seq: 2, kind: 'read' });
        await store.markReceipt({ conversationId: cid, userId: c!, seq: 3, kind: 'delivered' });
        const many = await store.horizonsOf(cid, [b!, c!, outsider!, 'u_nobody']);
        expect(Object.fromEntries(many)).toEqual({
          [b!]: { deliveredSeq: 2, readSeq: 2 },
          [c!]: { deliveredSeq: 3, readSeq: 0 },
          [outsider!]: { deliveredSeq: 0, readSeq: 0 },
          u_nobody: { deliveredSeq: 0, readSeq: 0 },
        });
        for (const id of [b!, c!]) expect(many.get(id)).toEqual(await horizons(cid, id));
        expect((await store.horizonsOf(cid, [])).size).toBe(0);
      });
    });

    describe('readStream', () => {
      async function scenario() {
        const [a, b] = await newUsers(2);
        const [one, two, three, outside] = await Promise.all(range(1, 4).map(() => newConversation([a!, b!])));
        const sentOne = await send(one!.id, a!, 5);
        const sentTwo = await send(two!.id, b!, 3);
        const earlyThree = await send(three!.id, a!, 2);
        await send(outside!.id, a!, 2);
        const since = await sinceMark(earlyThree[1]!.createdAt);
        const lateThree = await send(three!.id, b!, 2);
        return { a: a!, b: b!, one: one!.id, two: two!.id, three: three!.id, outside: outside!.id, sentOne, sentTwo, earlyThree, lateThree, since };
      }

      it('reads after positions, and after `since` for conversations without one, grouped and ascending', async () => {
        const s = await scenario();
        const read: StreamRead = { conversationIds: [s.one, s.two, s.three], after: { [s.one]: 2, [s.two]: 0, [s.outside]: 0 }, since: s.since, limit: 100 };
        const items = await store.readStream('messages', read);
        expectGrouped(items);
        const expected = [...s.sentOne.slice(2), ...s.sentTwo, ...s.lateThree];
        expect(sorted(items.map((m) => m.id))).toEqual(sorted(expected.map((m) => m.id)));
        for (const message of items) expect(message).toEqual(expected.find((m) => m.id === message.id));

        const withoutSince = await store.readStream('messages', { ...read, since: null });
        expect(sorted(withoutSince.map((m) => m.id))).toEqual(sorted([...s.sentOne.slice(2), ...s.sentTwo].map((m) => m.id)));
        expect(await store.readStream('messages', { ...read, after: {}, since: new Date(0) })).toHaveLength(5 + 3 + 4);
      });

      it('returns at most `limit` items, the first ones in order', async () => {
        const s = await scenario();
        const read: StreamRead = { conversationIds: [s.one, s.two, s.three], after: { [s.one]: 0, [s.two]: 0, [s.three]: 0 }, since: null, limit: 100 };
        const all = await store.readStream('messages', read);
        expect(all).toHaveLength(12);
        expectGrouped(all);
        expect(await store.readStream('messages', { ...read, limit: 4 })).toEqual(all.slice(0, 4));
        expect(await store.readStream('messages', { ...read, limit: 7 })).toEqual(all.slice(0, 7));
      });

      it('reads receipts by rseq, the same way', async () => {
        const s = await scenario();
        const first = await store.markReceipt({ conversationId: s.one, userId: s.b, seq: 2, kind: 'delivered' });
        const since = await sinceMark(first!.timestamp);
        const second = await store.markReceipt({ conversationId: s.one, userId: s.b, seq: 4, kind: 'read' });
        const third = await store.markReceipt({ conversationId: s.two, userId: s.a, seq: 3, kind: 'read' });

        const resumed = await store.readStream('receipts', { conversationIds: [s.one, s.two], after: { [s.one]: 0, [s.two]: 0 }, since: null, limit: 10 });
        expectGrouped(resumed);
        expect(sorted(resumed.map((r) => `${r.conversationId}:${r.rseq}`))).toEqual(sorted([`${s.one}:1`, `${s.one}:2`, `${s.two}:1`]));
        expect(resumed).toEqual(expect.arrayContaining([first, second, third]));
        expect(await store.readStream('receipts', { conversationIds: [s.one], after: {}, since, limit: 10 })).toEqual([second]);
        expect(await store.readStream('receipts', { conversationIds: [s.one], after: { [s.one]: 2 }, since: null, limit: 10 })).toEqual([]);
      });

      it('reads nothing for no conversations or a zero limit', async () => {
        const s = await scenario();
        expect(await store.readStream('messages', { conversationIds: [], after: { [s.one]: 0 }, since: new Date(0), limit: 10 })).toEqual([]);
        expect(await store.readStream('messages', { conversationIds: [s.one], after: { [s.one]: 0 }, since: null, limit: 0 })).toEqual([]);
      });
    });

    describe('devices', () => {
      it('registerDevice stores a token on the store clock; devicesOf lists the user\'s, most recently registered first', async () => {
        const [a, b] = await newUsers(2);
        expect(await store.devicesOf(a!)).toEqual([]);
        const before = await store.now();
        const first = await store.registerDevice({ userId: a!, token: uid('fcm'), platform: 'android' });
        expect(first).toMatchObject({ userId: a, platform: 'android' });
        expect(first.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
        expect(first.updatedAt).toEqual(first.createdAt);
        await nowAfter(first.updatedAt);
        // A web push endpoint is a URL: a token may hold any character.
        const second = await store.registerDevice({ userId: a!, token: `https://push.example/send/${uid('wp')}`, platform: 'web' });
        expect(second).toMatchObject({ token: expect.stringContaining('/send/'), userId: a, platform: 'web' });
        await nowAfter(second.updatedAt);
        const third = await store.registerDevice({ userId: a!, token: uid('apns'), platform: 'ios' });

        expect(await store.devicesOf(a!)).toEqual([third, second, first]);
        expect(await store.devicesOf(b!)).toEqual([]);
        expect(await store.devicesOf(uid('missing'))).toEqual([]);
      });

      it('re-registering updates platform and updatedAt, keeps createdAt, and puts the device first', async () => {
        const [a] = await newUsers(1);
        const one = await store.registerDevice({ userId: a!, token: uid('tok'), platform: 'android' });
        await nowAfter(one.updatedAt);
        const two = await store.registerDevice({ userId: a!, token: uid('tok'), platform: 'ios' });
        await nowAfter(two.updatedAt);

        const again = await store.registerDevice({ userId: a!, token: one.token, platform: 'web' });
        expect(again).toMatchObject({ token: one.token, userId: a, platform: 'web', createdAt: one.createdAt });
        expect(again.updatedAt.getTime()).toBeGreaterThan(two.updatedAt.getTime());
        expect(await store.devicesOf(a!)).toEqual([again, two]);
      });

      it('registering a token another user had moves it to the new user, as a new device of theirs', async () => {
        const [a, b] = await newUsers(2);
        const kept = await store.registerDevice({ userId: a!, token: uid('tok'), platform: 'android' });
        const token = uid('tok');
        const before = await store.registerDevice({ userId: a!, token, platform: 'android' });
        await nowAfter(before.updatedAt);

        const moved = await store.registerDevice({ userId: b!, token, platform: 'ios' });
        expect(moved).toMatchObject({ token, userId: b, platform: 'ios' });
        expect(moved.createdAt.getTime()).toBeGreaterThan(before.createdAt.getTime());
        expect(await store.devicesOf(a!)).toEqual([kept]);
        expect(await store.devicesOf(b!)).toEqual([moved]);
      });

      it(`a token registered by several users at once, on ${WRITERS} store instances (when shared), ends with exactly one`, async () => {
        const users = await newUsers(4);
        const token = uid('tok');
        const results = await Promise.all([...users, ...users].map((userId, i) => writer(i).registerDevice({ userId, token, platform: 'android' })));
        const holders = (await Promise.all(users.map((userId) => store.devicesOf(userId)))).flat();
        expect(holders).toHaveLength(1);
        expect(holders[0]).toMatchObject({ token, userId: expect.any(String) });
        expect(results.map((r) => r.userId)).toContain(holders[0]!.userId);
      });

      it('registerDevice for an unknown user rejects', async () => {
        await expect(store.registerDevice({ userId: uid('missing'), token: uid('tok'), platform: 'web' })).rejects.toThrow();
      });

      it('removeDevices removes only the given tokens and ignores unknown ones', async () => {
        const [a, b] = await newUsers(2);
        const register = (userId: string): Promise<DeviceRecord> => store.registerDevice({ userId, token: uid('tok'), platform: 'android' });
        const [a1, a2, b1, b2] = [await register(a!), await register(a!), await register(b!), await register(b!)];

        await store.removeDevices([a1.token, b1.token, uid('unknown')]);
        expect(await store.devicesOf(a!)).toEqual([a2]);
        expect(await store.devicesOf(b!)).toEqual([b2]);
        await store.removeDevices([]);
        await store.removeDevices([a1.token, a1.token]);
        expect(await store.devicesOf(a!)).toEqual([a2]);

        const back = await store.registerDevice({ userId: a!, token: a1.token, platform: 'ios' });
        expect((await store.devicesOf(a!)).map((d) => d.token).sort()).toEqual([a1.token, a2.token].sort());
        expect(back).toMatchObject({ token: a1.token, platform: 'ios' });
      });
    });

    describe('outbox', () => {
      it('addNotification stores one notification per (message, recipient)', async () => {
        const [a, b, c] = await newUsers(3);
        const conversation = await newConversation([a!, b!, c!]);
        const [m1, m2] = await send(conversation.id, a!, 2);

        const first = await store.addNotification({ recipientId: b!, message: m1! });
        expect(first.created).toBe(true);
        expect(first.notification).toMatchObject({ recipientId: b, conversationId: conversation.id, message: m1 });
        expect(first.notification.id).toMatch(/\w/);
        expect(await store.addNotification({ recipientId: b!, message: m1! })).toEqual({ notification: first.notification, created: false });

        const forC = await store.addNotification({ recipientId: c!, message: m1! });
        const next = await store.addNotification({ recipientId: b!, message: m2! });
        expect([forC.created, next.created]).toEqual([true, true]);
        expect(new Set([first, forC, next].map((r) => r.notification.id)).size).toBe(3);
        expect(await store.addNotification({ recipientId: b!, message: m2! })).toEqual({ notification: next.notification, created: false });

        expect(sorted((await store.listNotifications(b!, { limit: 10 })).items.map((n) => n.id))).toEqual(sorted([first.notification.id, next.notification.id]));
        expect((await store.listNotifications(c!, { limit: 10 })).items).toEqual([forC.notification]);
      });

      it('the stored message round-trips, dates as Date', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const { message } = await store.appendMessage({ conversationId: conversation.id, senderId: a!, clientMessageId: uid('cm'), text: 'héllo 👋\n"quoted" \\ and more' });
        const { notification } = await store.addNotification({ recipientId: b!, message });
        const [listed] = (await store.listNotifications(b!, { limit: 1 })).items;

        for (const read of [notification, listed!]) {
          expect(read).toEqual({ id: notification.id, recipientId: b, conversationId: conversation.id, message, createdAt: notification.createdAt });
          expect(read.message.createdAt).toBeInstanceOf(Date);
          expect(read.createdAt).toBeInstanceOf(Date);
          expect(read.createdAt.getTime()).toBeGreaterThanOrEqual(message.createdAt.getTime());
        }
      });

      it('addNotifications stores one per recipient, skipping the ones already stored', async () => {
        const [a, b, c, d] = await newUsers(4);
        const conversation = await newConversation([a!, b!, c!, d!]);
        const [message] = await send(conversation.id, a!);
        const early = await store.addNotification({ recipientId: c!, message: message! });
        expect(sorted(await store.addNotifications({ recipientIds: [b!, c!, d!, b!], message: message! }))).toEqual(sorted([b!, d!]));
        expect(await store.addNotifications({ recipientIds: [b!, c!, d!], message: message! })).toEqual([]);
        expect(await store.addNotifications({ recipientIds: [], message: message! })).toEqual([]);
        for (const recipientId of [b!, c!, d!]) {
          const listed = (await store.listNotifications(recipientId, { limit: 10 })).items;
          expect(listed).toHaveLength(1);
          expect(listed[0]).toMatchObject({ recipientId, conversationId: conversation.id, message: message! });
        }
        expect((await store.listNotifications(c!, { limit: 10 })).items[0]!.id).toBe(early.notification.id);
        await expect(store.addNotifications({ recipientIds: [uid('missing')], message: message! })).rejects.toThrow();
      });

      it('addNotification for an unknown recipient or message rejects', async () => {
        const [a, b] = await newUsers(2);
        const conversation = await newConversation([a!, b!]);
        const [message] = await send(conversation.id, a!);
        await expect(store.addNotification({ recipientId: uid('missing'), message: message! })).rejects.toThrow();
        await expect(store.addNotification({ recipientId: b!, message: { ...message!, id: uid('m') } })).rejects.toThrow();
        expect(await store.listNotifications(b!, { limit: 10 })).toEqual({ items: [], nextCursor: null });
      });

      it(`concurrent repeats on ${WRITERS} store instances (when shared) store each (message, recipient) once`, async () => {
        const [a, b, c] = await newUsers(3);
        const conversation = await newConversation([a!, b!, c!]);
        const messages = await send(conversation.id, a!, 3);
        const calls = messages.flatMap((message) => [b!, c!].flatMap((recipientId) => range(1, 6).map(() => ({ recipientId, message }))));
        calls.sort(() => Math.random() - 0.5);
        const results = await Promise.all(calls.map((input, i) => writer(i).addNotification(input)));

        expect(results.filter((r) => r.created)).toHaveLength(messages.length * 2);
        for (const recipientId of [b!, c!]) {
          for (const message of messages) {
            const mine = results.filter((r) => r.notification.recipientId === recipientId && r.notification.message.id === message.id);
            expect(mine).toHaveLength(6);
            expect(mine.filter((r) => r.created)).toHaveLength(1);
            expect(new Set(mine.map((r) => r.notification.id)).size).toBe(1);
          }
          const created = results.filter((r) => r.created && r.notification.recipientId === recipientId).map((r) => r.notification);
          expect(sorted((await store.listNotifications(recipientId, { limit: 100 })).items.map((n) => n.id))).toEqual(sorted(created.map((n) => n.id)));
        }
      });

      it('listNotifications lists only the user\'s own, newest first, and pages with a cursor each exactly once', async () => {
        const [a, b, c] = await newUsers(3);
        const conversation = await newConversation([a!, b!, c!]);
        const sent = await send(conversation.id, a!, 8);
        const added: OutboxNotification[] = [];
        for (const message of sent.slice(0, 4)) {
          const { notification } = await store.addNotification({ recipientId: b!, message });
          added.push(notification);
          await nowAfter(notification.createdAt);
        }
        const othersOwn = await store.addNotification({ recipientId: c!, message: sent[0]! });

        const all = await store.listNotifications(b!, { limit: 10 });
        expect(all).toEqual({ items: [...added].reverse(), nextCursor: null });
        // Exactly `limit` left: no further page.
        expect(await store.listNotifications(b!, { limit: 4 })).toEqual({ items: all.items, nextCursor: null });
        expect(await store.listNotifications(c!, { limit: 10 })).toEqual({ items: [othersOwn.notification], nextCursor: null });
        expect(await store.listNotifications(uid('missing'), { limit: 10 })).toEqual({ items: [], nextCursor: null });

        // More at once, likely sharing a millisecond: the cursor must still tell them apart.
        const burst = await Promise.all(sent.slice(4).map((message, i) => writer(i).addNotification({ recipientId: b!, message })));
        const everything = await store.listNotifications(b!, { limit: 100 });
        expect(everything.items).toHaveLength(8);
        expect(everything.items.slice(4)).toEqual(all.items);
        const times = everything.items.map((n) => n.createdAt.getTime());
        times.slice(1).forEach((t, i) => expect(t).toBeLessThanOrEqual(times[i]!));
        expect(sorted(everything.items.slice(0, 4).map((n) => n.id))).toEqual(sorted(burst.map((r) => r.notification.id)));

        for (const limit of [1, 2, 3]) {
          const paged: string[] = [];
          let cursor: string | null = null;
          do {
            const page: Awaited<ReturnType<Store['listNotifications']>> = await store.listNotifications(b!, { limit, cursor });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            paged.push(...page.items.map((n) => n.id));
            // A cursor that does not move on would page for ever: fail instead.
            expect(paged.length).toBeLessThanOrEqual(everything.items.length);
            cursor = page.nextCursor;
          } while (cursor);
          expect(paged).toEqual(everything.items.map((n) => n.id));
        }
      });

      it('a malformed cursor throws StoreInputError naming `cursor`', async () => {
        const [a] = await newUsers(1);
        const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
        // `'1'` passes `Date.parse`, but is no time a store wrote.
        for (const cursor of ['nope', encode(['1', 'x']), encode(['2024-01-01', 'x']), encode({ at: 1 })]) {
          for (const list of [store.listNotifications(a!, { limit: 5, cursor }), store.listConversations(a!, { limit: 5, cursor })]) {
            const error: unknown = await list.then(() => null, (e: unknown) => e);
            expect(error, cursor).toBeInstanceOf(StoreInputError);
            expect((error as StoreInputError).field).toBe('cursor');
          }
        }
      });
    });
  });
}
