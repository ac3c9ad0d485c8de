import type { Conversation, ConversationSummary, Message, Receipt, UserStatus } from '@parley/db';

export type { Conversation, ConversationSummary, Message, UserStatus };

/** `User` of the contract: the public view of a user with live presence. */
export interface User {
  id: string;
  displayName: string;
  status: UserStatus;
  statusText: string | null;
  online: boolean;
  lastSeenAt: Date | null;
}

export interface MessageEvent {
  type: 'message.created';
  message: Message;
}

export type ReceiptEvent = { type: 'receipt' } & Omit<Receipt, 'rseq'>;

export interface PresenceState {
  type: 'presence';
  userId: string;
  online: boolean;
  status: UserStatus;
  statusText: string | null;
  lastSeenAt: Date | null;
  connections: number;
}
export interface TypingEvent {
  type: 'typing';
  conversationId: string;
  userId: string;
  isTyping: boolean;
}
export type PresenceEvent = PresenceState | TypingEvent;

export interface SessionTimeoutEvent {
  type: 'session.timeout';
  message: string;
  timestamp: Date;
}
export interface NotificationMessage {
  type: 'notification';
  kind: string;
  data: unknown;
  timestamp: Date;
}
export type NotificationEvent = SessionTimeoutEvent | NotificationMessage;

export interface ConnectionInfo {
  connectionId: string;
  sessionId: string;
  instanceId: string;
  connectedAt: Date;
}
