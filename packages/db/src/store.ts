/**
 * The one storage interface of Parley. Every adapter (PGlite, Postgres, Firestore) implements it and
 * passes `store.contract.ts`. Nothing here may mention SQL: the Firestore adapter implements it too.
 */

export type UserStatus = 'online' | 'away' | 'busy' | 'offline';
export type ReceiptStatus = 'sent' | 'delivered' | 'read';

export interface UserRecord {
  id: string;
  displayName: string;
  status: UserStatus;
  statusText: string | null;
  lastSeenAt: Date | null;
  /** False once every session of the user has ended (logout or idle timeout). */
  isSignedIn: boolean;
  lastSignOutAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionRecord {
  id: string;
  userId: string;
  isActive: boolean;
  createdAt: Date;
  /** Last answered keep-alive ping or call on any connection of the session. */
  lastHeartbeatAt: Date;
  signedOutAt: Date | null;
}

export interface Conversation {
  id: string;
  title: string | null;
  memberIds: string[];
  createdAt: Date;
}

export interface Message {
  id: string;
  conversationId: string;
  /** 1, 2, 3… per conversation, no gaps. */
  seq: number;
  senderId: string;
  clientMessageId: string;
  text: string;
  createdAt: Date;
}

export interface ConversationSummary extends Conversation {
  lastMessage: Message | null;
  unreadCount: number;
}

/** One move of a member's delivered or read horizon, numbered per conversation by `rseq` (no gaps). */
export interface Receipt {
  conversationId: string;
  rseq: number;
  messageId: string;
  seq: number;
  updatedBy: string;
  oldStatus: 'sent' | 'delivered';
  newStatus: 'delivered' | 'read';
  timestamp: Date;
}

/**
 * Messages and receipts are both per-conversation streams with a gapless position
 * (`seq` for messages, `rseq` for receipts). Subscriptions resume from positions.
 */
export type StreamKind = 'messages' | 'receipts';
export type StreamItem<K extends StreamKind> = K extends 'messages' ? Message : Receipt;

export interface StreamRead {
  /** Conversations to read (the caller has already checked membership). */
  conversationIds: string[];
  /** Per conversation: return items with position > this. */
  after: Record<string, number>;
  /**
   * For conversations not in `after`: return items created strictly after this time
   * (store clock). `null`: return nothing for them.
   */
  since: Date | null;
  limit: number;
}

export interface CreateConversationInput {
  /** Includes the creator. Already validated: every id is an existing user. */
  memberIds: string[];
  title: string | null;
}

export interface AppendMessageInput {
  conversationId: string;
  senderId: string;
  clientMessageId: string;
  text: string;
}

export interface MarkInput {
  conversationId: string;
  userId: string;
  seq: number;
  kind: 'delivered' | 'read';
}

export type DevicePlatform = 'android' | 'ios' | 'web';

export interface DeviceRecord {
  token: string;
  userId: string;
  platform: DevicePlatform;
  /** When this user first registered the token: a token that moves to another user starts again. */
  createdAt: Date;
  updatedAt: Date;
}

/** An offline notification kept in the outbox (NOTIFIER=outbox), one per (message, recipient). */
export interface OutboxNotification {
  /** Opaque, unique. */
  id: string;
  recipientId: string;
  conversationId: string;
  message: Message;
  createdAt: Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Store {
  /** `pglite`, `postgres`, `firestore`, …: for logs and `/readyz`. */
  readonly kind: string;
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  /** Throws when the backing service is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The store's own clock, the one `createdAt` of messages and receipts is taken from. */
  now(): Promise<Date>;

  // Users
  /** Creates the user, or updates its display name; either way marks it signed in. */
  upsertUser(input: { id: string; displayName: string }): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | null>;
  /** The users that exist among `ids`, in no particular order. */
  getUsers(ids: string[]): Promise<UserRecord[]>;
  setUserStatus(id: string, input: { status: UserStatus; statusText: string | null }): Promise<UserRecord>;
  setLastSeen(id: string, at: Date): Promise<void>;

  // Sessions
  createSession(input: { id: string; userId: string }): Promise<SessionRecord>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** Refreshes `lastHeartbeatAt` of active sessions (batched by the caller); never moves it backwards. */
  touchSessions(ids: string[], at: Date): Promise<void>;
  /**
   * Marks an active session inactive with `signedOutAt`; when the user has no other active session,
   * marks the user signed out with `lastSignOutAt`. `ended: false` when it was not active.
   */
  endSession(id: string, at: Date): Promise<{ ended: boolean; userSignedOut: boolean }>;
  /** Active sessions whose last heartbeat is older than `before`, oldest first. */
  listIdleSessions(before: Date, limit: number): Promise<SessionRecord[]>;

  // Conversations
  createConversation(input: CreateConversationInput): Promise<Conversation>;
  getConversation(id: string): Promise<Conversation | null>;
  isMember(conversationId: string, userId: string): Promise<boolean>;
  conversationIdsOf(userId: string): Promise<string[]>;
  /** Everyone sharing at least one conversation with the user, the user excluded. */
  contactIdsOf(userId: string): Promise<string[]>;
  /** Most recently active first (last message time, else creation time); opaque cursor. */
  listConversations(userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<ConversationSummary>>;
  /**
   * Conversations of `conversationIds` whose stream has an item created strictly after `since`,
   * with the position of their newest committed item.
   */
  streamHeads(kind: StreamKind, conversationIds: string[], since: Date): Promise<Record<string, number>>;

  // Messages
  /**
   * Stores the message with the next seq of its conversation (no gaps, no duplicates under concurrent
   * senders) and makes it the conversation's last message, in one transaction. A repeated
   * (conversationId, senderId, clientMessageId) returns the first message with `created: false`.
   */
  appendMessage(input: AppendMessageInput): Promise<{ message: Message; created: boolean }>;
  /** The newest `limit` messages below `beforeSeq` (all when absent), ascending. */
  history(conversationId: string, page: { beforeSeq?: number | null; limit: number }): Promise<{ messages: Message[]; nextBeforeSeq: number | null }>;
  getMessages(conversationId: string, seqs: number[]): Promise<Message[]>;

  // Receipts
  /**
   * Moves the user's delivered or read horizon in one transaction. The requested seq is clamped to the
   * conversation's last message, then lowered to the newest message at or below it sent by someone else.
   * Never goes backwards; read implies delivered. Returns the receipt (stored with the next rseq) or
   * null when nothing changed.
   */
  markReceipt(input: MarkInput): Promise<Receipt | null>;
  /** The members' delivered and read horizons in a conversation, in one read; 0 for non-members and unknown ids. */
  horizonsOf(conversationId: string, userIds: string[]): Promise<Map<string, { deliveredSeq: number; readSeq: number }>>;

  /** Items of a stream for resume and gap filling, see `StreamRead`; ordered by conversation then position within it. */
  readStream<K extends StreamKind>(kind: K, read: StreamRead): Promise<StreamItem<K>[]>;

  // Devices (push tokens)
  /** Registers a push token for the user. A token is unique: registering one another user had moves it to this user (a shared or resold device). Re-registering updates platform and `updatedAt`. */
  registerDevice(input: { userId: string; token: string; platform: DevicePlatform }): Promise<DeviceRecord>;
  /** The user's device tokens, most recently registered first. */
  devicesOf(userId: string): Promise<DeviceRecord[]>;
  /** Forgets tokens (the push service said they are invalid); unknown tokens are ignored. */
  removeDevices(tokens: string[]): Promise<void>;

  // Outbox
  /** Stores the notification of `message` for `recipientId` once: a repeat for the same (message, recipient) stores nothing and returns the first one with `created: false`, also under concurrent calls from several store instances. */
  addNotification(input: { recipientId: string; message: Message }): Promise<{ notification: OutboxNotification; created: boolean }>;
  /**
   * `addNotification` for many recipients of one message (offline members of a large group) in one
   * write where the backend allows it; returns the recipients whose notification was newly stored.
   * Rejects when a recipient or the message is unknown (Postgres then stores none of them).
   */
  addNotifications(input: { recipientIds: string[]; message: Message }): Promise<string[]>;
  /** The user's notifications, newest first, opaque cursor (same paging style as listConversations; a malformed cursor throws StoreInputError naming `cursor`). */
  listNotifications(userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<OutboxNotification>>;
}
