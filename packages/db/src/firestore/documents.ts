import { Timestamp, type DocumentData, type DocumentSnapshot } from '@google-cloud/firestore';
import type { Conversation, Message, Receipt, SessionRecord, UserRecord, UserStatus } from '../store.ts';

/**
 * The shapes stored in each collection (see `collections.ts`). Every field is always written, `null`
 * when empty: no field deletes, so a plain `set()` and a merge leave the same document.
 */
export interface MemberDoc {
  displayName: string;
  status: UserStatus;
  statusText: string | null;
  lastSeenAt: Timestamp | null;
  isSignedIn: boolean;
  lastSignOutAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** Position of the user's newest sign event (0: none), see `sessions.ts`. */
  signSeq: number;
}

/** A session start or end that changed, or could have changed, whether the user is signed in. */
export interface SignEventDoc {
  kind: 'session.start' | 'session.end';
  sessionId: string;
  at: Timestamp;
}

export interface SessionDoc {
  userId: string;
  isActive: boolean;
  createdAt: Timestamp;
  lastHeartbeatAt: Timestamp;
  signedOutAt: Timestamp | null;
}

/** The copy of the newest message kept on its conversation, for listing without another read. */
export interface LastMessageDoc {
  id: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  text: string;
  createdAt: Timestamp;
}

export interface ConversationDoc {
  title: string | null;
  /** Sorted. Queried with `array-contains` for a member's conversations. */
  memberIds: string[];
  createdAt: Timestamp;
  /** Position of the newest message (0: none); every message up to it exists. */
  lastSeq: number;
  lastMessage: LastMessageDoc | null;
  /** Position and time of the newest receipt (0 and null: none). */
  lastRseq: number;
  lastReceiptAt: Timestamp | null;
  /** Activity order for listing, see `activeKey()`. */
  activeKey: string;
}

export interface ParticipantDoc {
  userId: string;
  deliveredSeq: number;
  readSeq: number;
  joinedAt: Timestamp;
}

export interface MessageDoc {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  /** `senderId` and `clientMessageId`: the idempotency key, one equality lookup. */
  dedupKey: string;
  text: string;
  createdAt: Timestamp;
}

export interface ReceiptDoc {
  conversationId: string;
  rseq: number;
  messageId: string;
  seq: number;
  updatedBy: string;
  oldStatus: Receipt['oldStatus'];
  newStatus: Receipt['newStatus'];
  createdAt: Timestamp;
}

/** Timestamps are stored at millisecond precision, so a `Date` read back equals the one written. */
export const stamp = (date: Date): Timestamp => Timestamp.fromDate(date);

/** The store clock of a read, in whole milliseconds. */
export const readTimeOf = (snapshot: { readTime: Timestamp }): Date => new Date(snapshot.readTime.toMillis());

export const later = (a: Date, b: Date | null): Date => (b && b.getTime() > a.getTime() ? b : a);

const dateOrNull = (t: Timestamp | null): Date | null => (t ? t.toDate() : null);

/** The data of a snapshot known to exist, as the shape the caller names. */
export function dataOf<T extends DocumentData>(snapshot: DocumentSnapshot): T {
  const data = snapshot.data();
  if (!data) throw new Error(`${snapshot.ref.path} does not exist`);
  return data as T;
}

export const dedupKey = (senderId: string, clientMessageId: string): string => `${senderId}\n${clientMessageId}`;

/**
 * Most recent activity first, ties broken by id: one string compared as a whole, so a page boundary
 * is a single range condition (`activeKey < cursor`) that Firestore serves from one index.
 */
export const activeKey = (at: Date, conversationId: string): string => `${String(at.getTime()).padStart(15, '0')}:${conversationId}`;

export function toUser(id: string, doc: MemberDoc): UserRecord {
  return {
    id,
    displayName: doc.displayName,
    status: doc.status,
    statusText: doc.statusText,
    lastSeenAt: dateOrNull(doc.lastSeenAt),
    isSignedIn: doc.isSignedIn,
    lastSignOutAt: dateOrNull(doc.lastSignOutAt),
    createdAt: doc.createdAt.toDate(),
    updatedAt: doc.updatedAt.toDate(),
  };
}

export function toSession(id: string, doc: SessionDoc): SessionRecord {
  return {
    id,
    userId: doc.userId,
    isActive: doc.isActive,
    createdAt: doc.createdAt.toDate(),
    lastHeartbeatAt: doc.lastHeartbeatAt.toDate(),
    signedOutAt: dateOrNull(doc.signedOutAt),
  };
}

export function toConversation(id: string, doc: ConversationDoc): Conversation {
  return { id, title: doc.title, memberIds: [...doc.memberIds], createdAt: doc.createdAt.toDate() };
}

export function toMessage(doc: MessageDoc): Message {
  return {
    id: doc.id,
    conversationId: doc.conversationId,
    seq: doc.seq,
    senderId: doc.senderId,
    clientMessageId: doc.clientMessageId,
    text: doc.text,
    createdAt: doc.createdAt.toDate(),
  };
}

export function lastMessageOf(conversationId: string, doc: ConversationDoc): Message | null {
  const last = doc.lastMessage;
  if (!last) return null;
  const { id, seq, senderId, clientMessageId, text } = last;
  return { id, conversationId, seq, senderId, clientMessageId, text, createdAt: last.createdAt.toDate() };
}

export function toMessageDoc(message: Message): MessageDoc {
  return { ...message, dedupKey: dedupKey(message.senderId, message.clientMessageId), createdAt: stamp(message.createdAt) };
}

export function toLastMessageDoc(message: Message): LastMessageDoc {
  const { id, seq, senderId, clientMessageId, text } = message;
  return { id, seq, senderId, clientMessageId, text, createdAt: stamp(message.createdAt) };
}

export function toReceipt(doc: ReceiptDoc): Receipt {
  return {
    conversationId: doc.conversationId,
    rseq: doc.rseq,
    messageId: doc.messageId,
    seq: doc.seq,
    updatedBy: doc.updatedBy,
    oldStatus: doc.oldStatus,
    newStatus: doc.newStatus,
    timestamp: doc.createdAt.toDate(),
  };
}

export function toReceiptDoc(receipt: Receipt): ReceiptDoc {
  const { timestamp, ...rest } = receipt;
  return { ...rest, createdAt: stamp(timestamp) };
}
