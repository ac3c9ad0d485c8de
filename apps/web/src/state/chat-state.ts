import type {
  Conversation,
  ConversationSummary,
  Message,
  PresenceState,
  ReceiptEvent,
  TypingEvent,
  User,
} from '@/trpc/types';

/** A message typed here that the server has not confirmed yet. */
export interface PendingMessage {
  clientMessageId: string;
  text: string;
  createdAt: Date;
  /** `queued`: waiting for the connection to come back; `failed`: the server refused it. */
  state: 'sending' | 'queued' | 'failed';
  error?: string;
}

/** A member's receipt horizons: every message of others up to this seq is delivered / read. */
export interface Horizon {
  delivered: number;
  read: number;
}

export interface ConversationState {
  conversation: Conversation;
  lastMessage: Message | null;
  unreadCount: number;
  /** The loaded window, ascending by seq, one entry per seq. */
  messages: Message[];
  historyLoaded: boolean;
  /** `beforeSeq` for the next older page; null once the first message is loaded. */
  nextBeforeSeq: number | null;
  horizons: Record<string, Horizon>;
  /** Typists and when their indicator lapses if no `isTyping: false` arrives. */
  typing: Record<string, number>;
  pending: PendingMessage[];
}

export type Presence = Omit<PresenceState, 'type'>;

export interface ChatState {
  me: User | null;
  conversations: Record<string, ConversationState>;
  listLoaded: boolean;
  listCursor: string | null;
  presence: Record<string, Presence>;
  /** Display names of other people, by id (`users.profiles`); an id that never signed in maps to itself. */
  names: Record<string, string>;
}

export const initialChatState: ChatState = {
  me: null,
  conversations: {},
  listLoaded: false,
  listCursor: null,
  presence: {},
  names: {},
};

/** A peer's indicator lapses after this without news (the server sends `false` after 6 s quiet). */
export const TYPING_TTL_MS = 8_000;

export type ChatAction =
  | { type: 'me'; user: User }
  | { type: 'names'; requested: string[]; profiles: Array<{ id: string; displayName: string }> }
  | { type: 'list.loaded'; items: ConversationSummary[]; nextCursor: string | null; append: boolean }
  | { type: 'conversation.added'; conversation: Conversation }
  | { type: 'history.loaded'; conversationId: string; messages: Message[]; nextBeforeSeq: number | null }
  /** The newest page, replacing a window it does not join (too much was missed to fill the gap). */
  | { type: 'history.reset'; conversationId: string; messages: Message[]; nextBeforeSeq: number | null }
  | { type: 'message'; message: Message; viewing: boolean }
  | { type: 'receipt'; receipt: ReceiptEvent }
  | { type: 'presence'; presence: PresenceState }
  | { type: 'typing'; event: TypingEvent; now: number }
  | { type: 'typing.expire'; now: number }
  | { type: 'pending.add'; conversationId: string; pending: PendingMessage }
  | { type: 'pending.update'; conversationId: string; clientMessageId: string; state: PendingMessage['state']; error?: string }
  | { type: 'pending.remove'; conversationId: string; clientMessageId: string };

function emptyConversation(conversation: Conversation): ConversationState {
  return {
    conversation,
    lastMessage: null,
    unreadCount: 0,
    messages: [],
    historyLoaded: false,
    nextBeforeSeq: null,
    horizons: {},
    typing: {},
    pending: [],
  };
}

/** Merges by seq (seq is unique per conversation), so a replayed or re-fetched message never shows twice. */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const last = current[current.length - 1];
  if (incoming.length === 1 && (!last || incoming[0]!.seq > last.seq)) return [...current, incoming[0]!];
  const bySeq = new Map<number, Message>();
  for (const m of current) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function laterMessage(a: Message | null, b: Message | null): Message | null {
  if (!a) return b;
  if (!b) return a;
  return b.seq > a.seq ? b : a;
}

/** Unread after my read horizon moved to `readSeq`, counted exactly when the loaded window allows. */
function unreadAfterRead(conv: ConversationState, meId: string, readSeq: number): number {
  const lastSeq = conv.lastMessage?.seq ?? 0;
  if (readSeq >= lastSeq) return 0;
  const first = conv.messages[0];
  const windowCovers = first !== undefined && (first.seq <= readSeq + 1 || conv.nextBeforeSeq === null);
  if (!windowCovers) return conv.unreadCount;
  return conv.messages.filter((m) => m.seq > readSeq && m.senderId !== meId).length;
}

function updateConversation(state: ChatState, id: string, update: (conv: ConversationState) => ConversationState): ChatState {
  const conv = state.conversations[id];
  if (!conv) return state;
  const next = update(conv);
  return next === conv ? state : { ...state, conversations: { ...state.conversations, [id]: next } };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'me':
      return { ...state, me: action.user };

    case 'names': {
      // Every requested id gets an entry, so an unknown one is not asked for again.
      const names = { ...state.names };
      for (const id of action.requested) names[id] ??= id;
      for (const profile of action.profiles) names[profile.id] = profile.displayName;
      return { ...state, names };
    }

    case 'list.loaded': {
      const conversations = { ...state.conversations };
      for (const item of action.items) {
        const { lastMessage, unreadCount, ...conversation } = item;
        const existing = conversations[item.id];
        if (!existing) {
          conversations[item.id] = { ...emptyConversation(conversation), lastMessage, unreadCount };
          continue;
        }
        // A re-fetch after a reconnect races the live streams: keep whichever saw further.
        const serverIsNewer = (lastMessage?.seq ?? 0) >= (existing.lastMessage?.seq ?? 0);
        conversations[item.id] = {
          ...existing,
          conversation,
          lastMessage: laterMessage(existing.lastMessage, lastMessage),
          unreadCount: serverIsNewer ? unreadCount : existing.unreadCount,
        };
      }
      // A refresh re-reads the first page only, so it keeps how far "show older" had paged.
      const listCursor = action.append || !state.listLoaded ? action.nextCursor : state.listCursor;
      return { ...state, conversations, listLoaded: true, listCursor };
    }

    case 'conversation.added':
      if (state.conversations[action.conversation.id]) return state;
      return { ...state, conversations: { ...state.conversations, [action.conversation.id]: emptyConversation(action.conversation) } };

    case 'history.loaded':
      return updateConversation(state, action.conversationId, (conv) => {
        const messages = mergeMessages(conv.messages, action.messages);
        const newest = action.messages[action.messages.length - 1] ?? null;
        return {
          ...conv,
          messages,
          historyLoaded: true,
          // Live messages and pages join without gaps, so paging continues below the oldest one held.
          nextBeforeSeq: action.nextBeforeSeq === null ? null : (messages[0]?.seq ?? action.nextBeforeSeq),
          lastMessage: laterMessage(conv.lastMessage, newest),
        };
      });

    case 'history.reset':
      return updateConversation(state, action.conversationId, (conv) => ({
        ...conv,
        messages: action.messages,
        historyLoaded: true,
        nextBeforeSeq: action.nextBeforeSeq,
        lastMessage: laterMessage(conv.lastMessage, action.messages[action.messages.length - 1] ?? null),
      }));

    case 'message': {
      const { message } = action;
      const meId = state.me?.id;
      return updateConversation(state, message.conversationId, (conv) => {
        const known = (conv.lastMessage?.seq ?? 0) >= message.seq || conv.messages.some((m) => m.seq === message.seq);
        const fromMe = message.senderId === meId;
        const typing = { ...conv.typing };
        delete typing[message.senderId];
        return {
          ...conv,
          // Kept even before history loads: a page fetched concurrently may predate this message.
          messages: mergeMessages(conv.messages, [message]),
          lastMessage: laterMessage(conv.lastMessage, message),
          unreadCount: known || fromMe || action.viewing ? conv.unreadCount : conv.unreadCount + 1,
          pending: fromMe ? conv.pending.filter((p) => p.clientMessageId !== message.clientMessageId) : conv.pending,
          typing,
        };
      });
    }

    case 'receipt': {
      const { receipt } = action;
      return updateConversation(state, receipt.conversationId, (conv) => {
        const before = conv.horizons[receipt.updatedBy] ?? { delivered: 0, read: 0 };
        // Horizons only move forward; a replayed or out-of-order receipt changes nothing.
        const after: Horizon = {
          delivered: Math.max(before.delivered, receipt.seq),
          read: receipt.newStatus === 'read' ? Math.max(before.read, receipt.seq) : before.read,
        };
        if (after.delivered === before.delivered && after.read === before.read) return conv;
        const mine = receipt.updatedBy === state.me?.id && receipt.newStatus === 'read';
        return {
          ...conv,
          horizons: { ...conv.horizons, [receipt.updatedBy]: after },
          unreadCount: mine && state.me ? unreadAfterRead(conv, state.me.id, after.read) : conv.unreadCount,
        };
      });
    }

    case 'presence': {
      const { type: _type, ...presence } = action.presence;
      const me = state.me && state.me.id === presence.userId
        ? { ...state.me, status: presence.status, statusText: presence.statusText, online: presence.online, lastSeenAt: presence.lastSeenAt }
        : state.me;
      return { ...state, me, presence: { ...state.presence, [presence.userId]: presence } };
    }

    case 'typing':
      return updateConversation(state, action.event.conversationId, (conv) => {
        const typing = { ...conv.typing };
        if (action.event.isTyping) typing[action.event.userId] = action.now + TYPING_TTL_MS;
        else if (action.event.userId in typing) delete typing[action.event.userId];
        else return conv;
        return { ...conv, typing };
      });

    case 'typing.expire': {
      let changed = false;
      const conversations = { ...state.conversations };
      for (const [id, conv] of Object.entries(state.conversations)) {
        const live = Object.entries(conv.typing).filter(([, until]) => until > action.now);
        if (live.length === Object.keys(conv.typing).length) continue;
        changed = true;
        conversations[id] = { ...conv, typing: Object.fromEntries(live) };
      }
      return changed ? { ...state, conversations } : state;
    }

    case 'pending.add':
      return updateConversation(state, action.conversationId, (conv) => ({ ...conv, pending: [...conv.pending, action.pending] }));

    case 'pending.update':
      return updateConversation(state, action.conversationId, (conv) => ({
        ...conv,
        pending: conv.pending.map((p) =>
          p.clientMessageId === action.clientMessageId ? { ...p, state: action.state, ...(action.error ? { error: action.error } : {}) } : p,
        ),
      }));

    case 'pending.remove':
      return updateConversation(state, action.conversationId, (conv) => ({
        ...conv,
        pending: conv.pending.filter((p) => p.clientMessageId !== action.clientMessageId),
      }));
  }
}

/** Most recently active first: last message time, else creation time (the server's list order). */
export function sortedConversations(state: ChatState): ConversationState[] {
  const activity = (c: ConversationState) => (c.lastMessage?.createdAt ?? c.conversation.createdAt).getTime();
  return Object.values(state.conversations).sort((a, b) => activity(b) - activity(a));
}

/** Everyone the user shares a conversation with, and anyone presence told us about. */
export function knownContacts(state: ChatState): string[] {
  const ids = new Set<string>(Object.keys(state.presence));
  for (const conv of Object.values(state.conversations)) for (const id of conv.conversation.memberIds) ids.add(id);
  if (state.me) ids.delete(state.me.id);
  return [...ids].sort();
}

export type Tick = 'sending' | 'sent' | 'delivered' | 'read';

/** An own message's tick: delivered / read once every other member's horizon reaches its seq. */
export function tickFor(conv: ConversationState, meId: string, seq: number): Tick {
  const others = conv.conversation.memberIds.filter((id) => id !== meId);
  if (others.length === 0) return 'sent';
  const horizons = others.map((id) => conv.horizons[id] ?? { delivered: 0, read: 0 });
  if (horizons.every((h) => h.read >= seq)) return 'read';
  if (horizons.every((h) => h.delivered >= seq || h.read >= seq)) return 'delivered';
  return 'sent';
}
