import type { RouterOutputs } from '@parley/api';
import type { ParleyClient } from './client';

/** Every API shape the UI touches, derived from the router so it can never drift from the server. */
export type User = RouterOutputs['users']['me'];
export type UserStatus = User['status'];
export type Conversation = RouterOutputs['conversations']['create'];
export type ConversationSummary = RouterOutputs['conversations']['list']['items'][number];
export type Message = RouterOutputs['conversations']['history']['messages'][number];
export type AdminStats = RouterOutputs['admin']['stats'];

/** What a subscription's `onData` receives (tracked streams arrive as `{ id, data }`). */
type SubscriptionData<S> = S extends { subscribe: (input: never, opts: infer O) => unknown }
  ? O extends { onData?: (data: infer D) => void }
    ? D
    : never
  : never;

export type MessageEvent = SubscriptionData<ParleyClient['chat']['messages']>['data'];
export type ReceiptEvent = SubscriptionData<ParleyClient['chat']['receipts']>['data'];
export type PresenceEvent = SubscriptionData<ParleyClient['chat']['presence']>;
export type PresenceState = Extract<PresenceEvent, { type: 'presence' }>;
export type TypingEvent = Extract<PresenceEvent, { type: 'typing' }>;
export type NotificationEvent = SubscriptionData<ParleyClient['chat']['notifications']>;
