import type { Message, Receipt } from '@parley/db';
import type { NotificationEvent, PresenceState, SessionTimeoutEvent } from './shapes.ts';

/**
 * What travels between the routers, the hub and (through the broker) other instances.
 * Topics: `conv:<id>` (messages, receipts, typing, members' presence), `user:<id>` (own devices,
 * notifications, session ends, new memberships) and `all` (broadcasts).
 */
export type BusEvent =
  | { t: 'message'; message: Message }
  | { t: 'receipt'; receipt: Receipt }
  | { t: 'typing'; conversationId: string; userId: string; isTyping: boolean }
  | { t: 'presence'; state: PresenceState }
  | { t: 'notify'; event: NotificationEvent; excludeUserId?: string }
  | { t: 'session.end'; userId: string; sessionId: string; reason: 'logout' | 'timeout'; event?: SessionTimeoutEvent }
  | { t: 'membership'; userId: string; conversationId: string };

export const topics = {
  conversation: (id: string) => `conv:${id}`,
  user: (id: string) => `user:${id}`,
  all: 'all',
} as const;
