import type { Firestore } from '@google-cloud/firestore';
import { newId } from '../postgres/ids.ts';
import type {
  AppendMessageInput,
  Conversation,
  ConversationSummary,
  CreateConversationInput,
  DevicePlatform,
  DeviceRecord,
  MarkInput,
  Message,
  OutboxNotification,
  Page,
  Receipt,
  SessionRecord,
  Store,
  StreamItem,
  StreamKind,
  StreamRead,
  UserRecord,
  UserStatus,
} from '../store.ts';
import { appendMessage } from './append-message.ts';
import { BATCH, chunks, GET_ALL } from './chunks.ts';
import { FirestoreCollections, isDocumentId } from './collections.ts';
import { isAlreadyExists } from './contention.ts';
import { devicesOf, registerDevice, removeDevices } from './devices.ts';
import {
  dataOf,
  later,
  readTimeOf,
  stamp,
  toConversation,
  toMessage,
  toSession,
  toUser,
  type ConversationDoc,
  type MemberDoc,
  type MessageDoc,
  type ParticipantDoc,
  type SessionDoc,
} from './documents.ts';
import { KeyedQueue } from '../keyed-queue.ts';
import { listConversations } from './list-conversations.ts';
import { markReceipt } from './mark-receipt.ts';
import { addNotification, listNotifications } from './outbox.ts';
import { recencyKey } from './recency-key.ts';
import { createSession, endSession, touchSession } from './sessions.ts';
import { readStream, streamHeads } from './streams.ts';

export interface FirestoreStoreOptions {
  /** Runs after the client is terminated (e.g. deleting the firebase-admin app that owned it). */
  onClose?: () => Promise<void>;
  /** How long `ping()` waits for an answer. @default 5000 */
  pingTimeoutMs?: number;
  /** How long `close()` lets running calls finish before it terminates the client. @default 10000 */
  closeTimeoutMs?: number;
}

/**
 * The `Store` on Firestore (firebase-admin's client, `@google-cloud/firestore`). Collection paths live
 * in `collections.ts`, the stored shapes in `documents.ts`.
 *
 * No transactions: every invariant that concurrent writers could break is kept by `create()` of the
 * document at the next position of a stream, which fails for all but one writer (messages and receipts
 * per conversation, sign events per user: `append-message.ts`, `mark-receipt.ts`, `sessions.ts`), or
 * of the one document a key may have (a notification per message and recipient: `outbox.ts`). Other
 * writes change only their own fields, or a whole document of their own (a device: `devices.ts`). Times come from the store's clock: the read time of a
 * read made in the same operation.
 */
export class FirestoreStore implements Store {
  readonly kind = 'firestore';
  readonly #db: Firestore;
  readonly #paths: FirestoreCollections;
  readonly #options: FirestoreStoreOptions;
  /** Writes to one conversation's message stream, one conversation's receipts, one user's sign events. */
  readonly #queues = { messages: new KeyedQueue(), receipts: new KeyedQueue(), signs: new KeyedQueue() };
  readonly #inflight = new Set<Promise<unknown>>();
  #closed: Promise<void> | null = null;

  constructor(db: Firestore, options: FirestoreStoreOptions = {}) {
    this.#db = db;
    this.#paths = new FirestoreCollections(db);
    this.#options = options;
  }

  /**
   * Every call goes through here, so that `close()` can refuse new ones and let running ones finish
   * before it terminates the client: a terminated client leaves later reads pending for ever (and
   * rejects a promise nobody holds).
   */
  #op<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the Firestore store is closed'));
    const running = run();
    this.#inflight.add(running);
    const settled = () => this.#inflight.delete(running);
    running.then(settled, settled);
    return running;
  }

  /** Firestore has no schema; its composite indexes are deployed from `firestore.indexes.json`. */
  async migrate(): Promise<void> {}

  ping(): Promise<void> {
    return this.#op(async () => {
      const timeoutMs = this.#options.pingTimeoutMs ?? 5_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`firestore did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([this.#paths.clock().get(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    });
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      const drained = Promise.allSettled([...this.#inflight]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, this.#options.closeTimeoutMs ?? 10_000)))]);
      clearTimeout(timer);
      await this.#db.terminate();
      await this.#options.onClose?.();
    })();
    return this.#closed;
  }

  now(): Promise<Date> {
    return this.#op(async () => readTimeOf(await this.#paths.clock().get()));
  }

  // Users

  /**
   * Reads the user, then writes only the fields that change: concurrent changes of different fields
   * (a rename and a status) both stay. `updatedAt` is the store time of the read, never below the
   * previous one.
   */
  async #changeUser(id: string, change: (current: MemberDoc, at: Date) => Partial<MemberDoc>): Promise<UserRecord | null> {
    if (!isDocumentId(id)) return null;
    const ref = this.#paths.member(id);
    const snapshot = await ref.get();
    if (!snapshot.exists) return null;
    const current = dataOf<MemberDoc>(snapshot);
    const fields = { ...change(current, later(readTimeOf(snapshot), current.updatedAt.toDate())) };
    await ref.update(fields);
    return toUser(id, { ...current, ...fields });
  }

  upsertUser(input: { id: string; displayName: string }): Promise<UserRecord> {
    return this.#op(async () => {
      if (!isDocumentId(input.id)) throw new Error(`invalid user id ${JSON.stringify(input.id)}`);
      const ref = this.#paths.member(input.id);
      const snapshot = await ref.get();
      if (!snapshot.exists) {
        const at = stamp(readTimeOf(snapshot));
        const user: MemberDoc = {
          displayName: input.displayName,
          status: 'online',
          statusText: null,
          lastSeenAt: null,
          isSignedIn: true,
          lastSignOutAt: null,
          createdAt: at,
          updatedAt: at,
          signSeq: 0,
        };
        try {
          await ref.create(user);
          return toUser(input.id, user);
        } catch (error) {
          // Created meanwhile by another first sign-in: update it like an existing user.
          if (!isAlreadyExists(error)) throw error;
        }
      }
      const user = await this.#changeUser(input.id, (_, at) => ({ displayName: input.displayName, isSignedIn: true, updatedAt: stamp(at) }));
      if (!user) throw new Error(`user ${input.id} not stored`);
      return user;
    });
  }

  getUser(id: string): Promise<UserRecord | null> {
    return this.#op(async () => {
      if (!isDocumentId(id)) return null;
      const snapshot = await this.#paths.member(id).get();
      return snapshot.exists ? toUser(id, dataOf<MemberDoc>(snapshot)) : null;
    });
  }

  getUsers(ids: string[]): Promise<UserRecord[]> {
    return this.#op(async () => {
      const unique = [...new Set(ids)].filter(isDocumentId);
      const found: UserRecord[] = [];
      for (const part of chunks(unique, GET_ALL)) {
        const snapshots = await this.#db.getAll(...part.map((id) => this.#paths.member(id)));
        for (const snapshot of snapshots) if (snapshot.exists) found.push(toUser(snapshot.id, dataOf<MemberDoc>(snapshot)));
      }
      return found;
    });
  }

  setUserStatus(id: string, input: { status: UserStatus; statusText: string | null }): Promise<UserRecord> {
    return this.#op(async () => {
      const user = await this.#changeUser(id, (_, at) => ({ status: input.status, statusText: input.statusText, updatedAt: stamp(at) }));
      if (!user) throw new Error(`user ${id} not found`);
      return user;
    });
  }

  setLastSeen(id: string, at: Date): Promise<void> {
    return this.#op(async () => {
      await this.#changeUser(id, (_, now) => ({ lastSeenAt: stamp(at), updatedAt: stamp(now) }));
    });
  }

  // Sessions

  createSession(input: { id: string; userId: string }): Promise<SessionRecord> {
    return this.#op(async () => {
      if (!isDocumentId(input.id) || !isDocumentId(input.userId)) throw new Error(`invalid session ${JSON.stringify(input)}`);
      return this.#queues.signs.run(input.userId, () => createSession(this.#db, this.#paths, input));
    });
  }

  getSession(id: string): Promise<SessionRecord | null> {
    return this.#op(async () => {
      if (!isDocumentId(id)) return null;
      const snapshot = await this.#paths.session(id).get();
      return snapshot.exists ? toSession(id, dataOf<SessionDoc>(snapshot)) : null;
    });
  }

  touchSessions(ids: string[], at: Date): Promise<void> {
    return this.#op(async () => {
      const unique = [...new Set(ids)].filter(isDocumentId);
      for (const part of chunks(unique, GET_ALL)) {
        const snapshots = await this.#db.getAll(...part.map((id) => this.#paths.session(id)));
        await Promise.all(snapshots.map((snapshot) => touchSession(snapshot, at)));
      }
    });
  }

  endSession(id: string, at: Date): Promise<{ ended: boolean; userSignedOut: boolean }> {
    return this.#op(async () => {
      if (!isDocumentId(id)) return { ended: false, userSignedOut: false };
      return endSession(this.#db, this.#paths, id, at);
    });
  }

  listIdleSessions(before: Date, limit: number): Promise<SessionRecord[]> {
    return this.#op(async () => {
      if (limit <= 0) return [];
      const snapshot = await this.#paths
        .sessions()
        .where('isActive', '==', true)
        .where('lastHeartbeatAt', '<', stamp(before))
        .orderBy('lastHeartbeatAt')
        .limit(limit)
        .get();
      return snapshot.docs.map((doc) => toSession(doc.id, dataOf<SessionDoc>(doc)));
    });
  }

  // Conversations

  /**
   * The participants (horizons) are written before the conversation document, in batches of a few
   * hundred: the conversation exists for readers only once all its members do. Up to that size it is
   * one atomic batch.
   */
  createConversation(input: CreateConversationInput): Promise<Conversation> {
    return this.#op(async () => {
      const id = newId('c');
      const createdAt = await this.now();
      const memberIds = [...new Set(input.memberIds)].sort();
      const conversation: ConversationDoc = {
        title: input.title,
        memberIds,
        createdAt: stamp(createdAt),
        lastSeq: 0,
        lastMessage: null,
        lastRseq: 0,
        lastReceiptAt: null,
        activeKey: recencyKey(createdAt, id),
      };
      const participant = (userId: string): ParticipantDoc => ({ userId, deliveredSeq: 0, readSeq: 0, joinedAt: stamp(createdAt) });
      const parts = chunks(memberIds, BATCH);
      const last = parts.pop() ?? [];
      await Promise.all(
        parts.map((part) => {
          const batch = this.#db.batch();
          for (const userId of part) batch.set(this.#paths.participant(id, userId), participant(userId));
          return batch.commit();
        }),
      );
      const batch = this.#db.batch();
      batch.create(this.#paths.conversation(id), conversation);
      for (const userId of last) batch.set(this.#paths.participant(id, userId), participant(userId));
      await batch.commit();
      return toConversation(id, conversation);
    });
  }

  getConversation(id: string): Promise<Conversation | null> {
    return this.#op(async () => {
      if (!isDocumentId(id)) return null;
      const snapshot = await this.#paths.conversation(id).get();
      return snapshot.exists ? toConversation(id, dataOf<ConversationDoc>(snapshot)) : null;
    });
  }

  isMember(conversationId: string, userId: string): Promise<boolean> {
    return this.#op(async () => {
      if (!isDocumentId(conversationId) || !isDocumentId(userId)) return false;
      return (await this.#paths.participant(conversationId, userId).get()).exists;
    });
  }

  conversationIdsOf(userId: string): Promise<string[]> {
    return this.#op(async () => {
      const snapshot = await this.#paths.conversations().where('memberIds', 'array-contains', userId).select().get();
      return snapshot.docs.map((doc) => doc.id).sort();
    });
  }

  contactIdsOf(userId: string): Promise<string[]> {
    return this.#op(async () => {
      const snapshot = await this.#paths.conversations().where('memberIds', 'array-contains', userId).select('memberIds').get();
      const contacts = new Set<string>();
      for (const doc of snapshot.docs) for (const id of dataOf<Pick<ConversationDoc, 'memberIds'>>(doc).memberIds) contacts.add(id);
      contacts.delete(userId);
      return [...contacts].sort();
    });
  }

  listConversations(userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<ConversationSummary>> {
    return this.#op(() => listConversations(this.#db, this.#paths, userId, page));
  }

  streamHeads(kind: StreamKind, conversationIds: string[], since: Date): Promise<Record<string, number>> {
    return this.#op(() => streamHeads(this.#db, this.#paths, kind, conversationIds, since));
  }

  // Messages

  appendMessage(input: AppendMessageInput): Promise<{ message: Message; created: boolean }> {
    return this.#op(async () => {
      if (!isDocumentId(input.conversationId)) throw new Error(`unknown conversation ${input.conversationId}`);
      return this.#queues.messages.run(input.conversationId, () => appendMessage(this.#db, this.#paths, input));
    });
  }

  history(conversationId: string, page: { beforeSeq?: number | null; limit: number }): Promise<{ messages: Message[]; nextBeforeSeq: number | null }> {
    return this.#op(async () => {
      const limit = Math.max(0, page.limit);
      if (!isDocumentId(conversationId)) return { messages: [], nextBeforeSeq: null };
      let query = this.#paths.messages(conversationId).orderBy('seq', 'desc');
      if (page.beforeSeq !== undefined && page.beforeSeq !== null) query = query.where('seq', '<', page.beforeSeq);
      // One more than the page tells whether an older message exists.
      const snapshot = await query.limit(limit + 1).get();
      const messages = snapshot.docs.slice(0, limit).map((doc) => toMessage(dataOf<MessageDoc>(doc))).reverse();
      const oldest = messages[0];
      return { messages, nextBeforeSeq: snapshot.docs.length > limit && oldest ? oldest.seq : null };
    });
  }

  getMessages(conversationId: string, seqs: number[]): Promise<Message[]> {
    return this.#op(async () => {
      if (!isDocumentId(conversationId)) return [];
      const wanted = [...new Set(seqs)].filter((seq) => Number.isSafeInteger(seq) && seq > 0).sort((a, b) => a - b);
      const found: Message[] = [];
      for (const part of chunks(wanted, GET_ALL)) {
        const snapshots = await this.#db.getAll(...part.map((seq) => this.#paths.message(conversationId, seq)));
        for (const snapshot of snapshots) if (snapshot.exists) found.push(toMessage(dataOf<MessageDoc>(snapshot)));
      }
      return found;
    });
  }

  // Receipts

  markReceipt(input: MarkInput): Promise<Receipt | null> {
    return this.#op(async () => {
      if (!isDocumentId(input.conversationId) || !isDocumentId(input.userId)) return null;
      return this.#queues.receipts.run(input.conversationId, () => markReceipt(this.#db, this.#paths, input));
    });
  }

  horizonsOf(conversationId: string, userIds: string[]): Promise<Map<string, { deliveredSeq: number; readSeq: number }>> {
    return this.#op(async () => {
      const out = new Map(userIds.map((id) => [id, { deliveredSeq: 0, readSeq: 0 }]));
      if (!isDocumentId(conversationId)) return out;
      for (const part of chunks([...new Set(userIds)].filter(isDocumentId), GET_ALL)) {
        const snapshots = await this.#db.getAll(...part.map((id) => this.#paths.participant(conversationId, id)));
        part.forEach((id, i) => {
          const snapshot = snapshots[i];
          if (!snapshot?.exists) return;
          const { deliveredSeq, readSeq } = dataOf<ParticipantDoc>(snapshot);
          out.set(id, { deliveredSeq, readSeq });
        });
      }
      return out;
    });
  }

  readStream<K extends StreamKind>(kind: K, read: StreamRead): Promise<StreamItem<K>[]> {
    return this.#op(() => readStream(this.#paths, kind, read));
  }

  // Devices

  registerDevice(input: { userId: string; token: string; platform: DevicePlatform }): Promise<DeviceRecord> {
    return this.#op(() => registerDevice(this.#db, this.#paths, input));
  }

  devicesOf(userId: string): Promise<DeviceRecord[]> {
    return this.#op(() => devicesOf(this.#paths, userId));
  }

  removeDevices(tokens: string[]): Promise<void> {
    return this.#op(() => removeDevices(this.#db, this.#paths, tokens));
  }

  // Outbox

  addNotification(input: { recipientId: string; message: Message }): Promise<{ notification: OutboxNotification; created: boolean }> {
    return this.#op(() => addNotification(this.#db, this.#paths, input));
  }

  addNotifications(input: { recipientIds: string[]; message: Message }): Promise<string[]> {
    // Each document is created on its own (create-or-read keeps concurrent repeats single); a few at a time.
    return this.#op(async () => {
      const created: string[] = [];
      for (const part of chunks([...new Set(input.recipientIds)], 10)) {
        const results = await Promise.all(part.map((recipientId) => addNotification(this.#db, this.#paths, { recipientId, message: input.message })));
        results.forEach((r, i) => r.created && created.push(part[i]!));
      }
      return created;
    });
  }

  listNotifications(userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<OutboxNotification>> {
    return this.#op(() => listNotifications(this.#paths, userId, page));
  }
}
