import { Timestamp, type DocumentData, type DocumentSnapshot } from '@google-cloud/firestore';
import type { Conversation, DevicePlatform, DeviceRecord, Message, OutboxNotification, Receipt, SessionRecord, UserRecord, UserStatus } from '../store.ts';

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

/**
 * A copy of a message kept on another document (its conversation's newest, a notification), so that
 * listing those needs no further read. Messages never change, so a copy never goes stale.
 */
export interface MessageCopyDoc {
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
  lastMessage: MessageCopyDoc | null;
  /** Position and time of the newest receipt (0 and null: none). */
  lastRseq: number;
  lastReceiptAt: Timestamp | null;
  /** Activity order for listing, see `recencyKey()`. */
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

/** A push token, keyed by its hash (see `FirestoreCollections.device`). */
export interface DeviceDoc {
  token: string;
  userId: string;
  platform: DevicePlatform;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** Most recently registered first, see `recencyKey()`. */
  recentKey: string;
}

/** An outbox entry, keyed by its message's id under its recipient: the key is what makes it unique. */
export interface NotificationDoc {
  id: string;
  recipientId: string;
  conversationId: string;
  message: MessageCopyDoc;
  createdAt: Timestamp;
  /** Newest first, see `recencyKey()`. */
  recentKey: string;
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

export function fromMessageCopy(conversationId: string, copy: MessageCopyDoc): Message {
  const { id, seq, senderId, clientMessageId, text } = copy;
  return { id, conversationId, seq, senderId, clientMessageId, text, createdAt: copy.createdAt.toDate() };
}

export function lastMessageOf(conversationId: string, doc: ConversationDoc): Message | null {
  return doc.lastMessage ? fromMessageCopy(conversationId, doc.lastMessage) : null;
}

export function toMessageDoc(message: Message): MessageDoc {
  return { ...message, dedupKey: dedupKey(message.senderId, message.clientMessageId), createdAt: stamp(message.createdAt) };
}

export function toMessageCopyDoc(message: Message): MessageCopyDoc {
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

export function toDevice(doc: DeviceDoc): DeviceRecord {
  return { token: doc.token, userId: doc.userId, platform: doc.platform, createdAt: doc.createdAt.toDate(), updatedAt: doc.updatedAt.toDate() };
}

export function toNotification(doc: NotificationDoc): OutboxNotification {
  return {
    id: doc.id,
    recipientId: doc.recipientId,
    conversationId: doc.conversationId,
    message: fromMessageCopy(doc.conversationId, doc.message),
    createdAt: doc.createdAt.toDate(),
  };
}
