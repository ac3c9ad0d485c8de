'use client';

import { createContext, useContext, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { createParleyConnection, SESSION_ENDED_CLOSE_CODE, type ParleyConnection } from '@/trpc/client';
import { errorCode, errorMessage } from '@/trpc/errors';
import type { Conversation, ConversationSummary, MessageEvent, NotificationEvent, PresenceEvent, UserStatus } from '@/trpc/types';
import { newClientMessageId } from '@/lib/ids';
import { namesWanted } from '@/lib/people';
import { chatReducer, initialChatState, type ChatState, type PendingMessage } from './chat-state';
import { watchConnection, type ConnectionStatus } from './connection-status';
import { ReceiptMarker } from './receipt-marker';

const HISTORY_PAGE = 30;
/** A gap after a reconnect up to this many messages is filled in one call; a longer one restarts the window. */
const GAP_PAGE = 100;
const LIST_PAGE = 50;
/** Wait before re-opening a stream the server failed (not one that lost its socket: wsLink resumes those). */
const RESUBSCRIBE_DELAY_MS = 1_000;
/** `users.profiles` takes up to this many ids per call. */
const PROFILES_BATCH = 100;

export interface Toast {
  id: number;
  title: string;
  body: string;
}

export interface ChatActions {
  loadHistory(conversationId: string): Promise<void>;
  loadOlder(conversationId: string): Promise<void>;
  send(conversationId: string, text: string): void;
  retry(conversationId: string, clientMessageId: string): void;
  discard(conversationId: string, clientMessageId: string): void;
  markRead(conversationId: string, seq: number): void;
  setTyping(conversationId: string, isTyping: boolean): void;
  setStatus(status: UserStatus, text: string | null): Promise<void>;
  createConversation(memberIds: string[], title?: string): Promise<Conversation>;
  loadMoreConversations(): Promise<void>;
  /** Follows one conversation's receipts from its first one, for the ticks of older messages. */
  watchReceipts(conversationId: string): () => void;
  setViewing(conversationId: string | null): void;
  dismissToast(id: number): void;
  signOut(): Promise<void>;
}

interface ChatContextValue {
  state: ChatState;
  status: ConnectionStatus;
  toasts: Toast[];
  actions: ChatActions;
}

const ChatContext = createContext<ChatContextValue | null>(null);

export function useChat(): ChatContextValue {
  const value = useContext(ChatContext);
  if (!value) throw new Error('useChat outside <ChatProvider>');
  return value;
}

type Unsubscribable = { unsubscribe(): void };

/**
 * One signed-in session: the socket, the four long-lived streams, and the state they feed. Everything
 * here ends when the token changes or the session ends (`onSessionEnded` clears the token).
 */
export function ChatProvider(props: { token: string; onSessionEnded: (notice: string | null) => void; children: ReactNode }) {
  const { token, onSessionEnded } = props;
  const [state, dispatch] = useReducer(chatReducer, initialChatState);
  const [status, setStatusState] = useState<ConnectionStatus>('connecting');
  const [connection, setConnection] = useState<ParleyConnection | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);

  // Streams and callbacks read these at event time, not at subscribe time.
  const stateRef = useRef(state);
  stateRef.current = state;
  const viewingRef = useRef<string | null>(null);
  const markerRef = useRef<ReceiptMarker | null>(null);
  const endedRef = useRef(onSessionEnded);
  endedRef.current = onSessionEnded;
  /** Our own sign-out also closes our socket with 4401: that is no news to show. */
  const signingOutRef = useRef(false);

  useEffect(() => {
    let disposed = false;
    const conn = createParleyConnection(token, {
      onClose: (code) => {
        if (code === SESSION_ENDED_CLOSE_CODE) end('Your session has ended. Sign in again to continue.');
      },
    });
    const marker = new ReceiptMarker(conn.client);
    markerRef.current = marker;
    const subscriptions: Unsubscribable[] = [];
    const timers = new Set<ReturnType<typeof setTimeout>>();

    function end(notice: string | null) {
      if (disposed) return;
      disposed = true;
      endedRef.current(signingOutRef.current ? null : notice);
    }

    function failIfUnauthorized(error: unknown): boolean {
      if (errorCode(error) !== 'UNAUTHORIZED') return false;
      end('Your session is no longer valid. Sign in again to continue.');
      return true;
    }

    const isViewing = (conversationId: string) =>
      viewingRef.current === conversationId && document.visibilityState === 'visible';

    let listRefresh: ReturnType<typeof setTimeout> | null = null;
    /** Something names a conversation we do not hold (created by someone else): fetch the list again. */
    function refreshListSoon() {
      if (listRefresh || disposed) return;
      listRefresh = setTimeout(() => {
        listRefresh = null;
        void loadList();
      }, 300);
      timers.add(listRefresh);
    }

    async function loadList(): Promise<ConversationSummary[]> {
      try {
        const page = await conn.client.conversations.list.query({ limit: LIST_PAGE });
        if (disposed) return [];
        dispatch({ type: 'list.loaded', items: page.items, nextCursor: page.nextCursor, append: false });
        // Receiving the list is receiving its last messages: mark them delivered (the server lowers
        // the seq to the newest message of someone else).
        for (const item of page.items) {
          if (item.lastMessage && item.unreadCount > 0) {
            marker.mark(item.id, 'delivered', item.lastMessage.seq);
          }
        }
        return page.items;
      } catch (error) {
        failIfUnauthorized(error);
        return [];
      }
    }

    /**
     * A tracked stream resumes from the last event id it saw, but one that had seen no event yet
     * when the socket dropped can only start again from now: what was sent in between is fetched
     * from history for every conversation whose messages are on screen (merged by seq, so a message
     * the stream did replay still shows once).
     */
    async function fillGaps(items: ConversationSummary[]) {
      for (const item of items) {
        const conv = stateRef.current.conversations[item.id];
        const serverLast = item.lastMessage?.seq ?? 0;
        const heldLast = conv?.messages[conv.messages.length - 1]?.seq ?? 0;
        if (!conv?.historyLoaded || serverLast <= heldLast) continue;
        try {
          const page = await conn.client.conversations.history.query({ conversationId: item.id, beforeSeq: serverLast + 1, limit: GAP_PAGE });
          if (disposed) return;
          const oldest = page.messages[0]?.seq ?? serverLast;
          const joins = oldest <= heldLast + 1 || page.nextBeforeSeq === null;
          dispatch({ type: joins ? 'history.loaded' : 'history.reset', conversationId: item.id, messages: page.messages, nextBeforeSeq: page.nextBeforeSeq });
        } catch (error) {
          if (failIfUnauthorized(error)) return;
        }
      }
    }

    /**
     * Keeps a stream open: a stream the server fails (not one that lost its socket, which wsLink
     * resumes by itself) is opened again after a pause; tracked streams pass their last event id.
     */
    function keepSubscribed(open: (onError: (error: unknown) => void) => Unsubscribable) {
      let current: Unsubscribable | null = null;
      const start = () => {
        current = open((error) => {
          if (disposed || failIfUnauthorized(error)) return;
          const timer = setTimeout(start, RESUBSCRIBE_DELAY_MS);
          timers.add(timer);
        });
      };
      start();
      subscriptions.push({ unsubscribe: () => current?.unsubscribe() });
    }

    function onMessage({ message }: MessageEvent) {
      const viewing = isViewing(message.conversationId);
      dispatch({ type: 'message', message, viewing });
      if (!stateRef.current.conversations[message.conversationId]) refreshListSoon();
      const meId = stateRef.current.me?.id;
      if (meId && message.senderId !== meId) marker.mark(message.conversationId, viewing ? 'read' : 'delivered', message.seq);
    }

    function onPresence(event: PresenceEvent) {
      if (event.type === 'typing') {
        dispatch({ type: 'typing', event, now: Date.now() });
        return;
      }
      dispatch({ type: 'presence', presence: event });
      const { me, conversations, listLoaded } = stateRef.current;
      const known = event.userId === me?.id || Object.values(conversations).some((c) => c.conversation.memberIds.includes(event.userId));
      if (!known && listLoaded) refreshListSoon();
    }

    function onNotification(event: NotificationEvent) {
      if (event.type === 'session.timeout') {
        end(event.message);
        return;
      }
      const body = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      setToasts((list) => [...list.slice(-2), { id: Date.now(), title: event.kind, body }]);
    }

    let lastMessageId: string | null = null;
    keepSubscribed((onError) =>
      conn.client.chat.messages.subscribe(
        { lastEventId: lastMessageId },
        {
          onData: (event) => {
            lastMessageId = event.id;
            onMessage(event.data);
          },
          onError,
        },
      ),
    );
    let lastReceiptId: string | null = null;
    keepSubscribed((onError) =>
      conn.client.chat.receipts.subscribe(
        { lastEventId: lastReceiptId },
        {
          onData: (event) => {
            lastReceiptId = event.id;
            dispatch({ type: 'receipt', receipt: event.data });
          },
          onError,
        },
      ),
    );
    keepSubscribed((onError) => conn.client.chat.presence.subscribe({}, { onData: onPresence, onError }));
    keepSubscribed((onError) => conn.client.chat.notifications.subscribe({}, { onData: onNotification, onError }));

    const stopWatching = watchConnection(conn, {
      onStatus: (next) => !disposed && setStatusState(next),
      onReconnected: () => {
        if (disposed) return;
        // Streams resume by themselves; the list, the outbox and lost marks need a nudge.
        void loadList().then(fillGaps);
        marker.flush();
        for (const conv of Object.values(stateRef.current.conversations)) {
          for (const pending of conv.pending) if (pending.state === 'queued') sendPending(conn, conv.conversation.id, pending);
        }
      },
    });

    conn.client.users.me
      .query()
      .then((user) => {
        if (disposed) return;
        dispatch({ type: 'me', user });
        return loadList();
      })
      .catch((error: unknown) => {
        failIfUnauthorized(error);
      });

    const typingSweep = setInterval(() => dispatch({ type: 'typing.expire', now: Date.now() }), 1_000);
    const onHide = () => document.visibilityState === 'hidden' && marker.flush();
    document.addEventListener('visibilitychange', onHide);
    setConnection(conn);

    return () => {
      disposed = true;
      clearInterval(typingSweep);
      for (const timer of timers) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onHide);
      stopWatching();
      for (const sub of subscriptions) sub.unsubscribe();
      marker.close();
      void conn.wsClient.close();
      setConnection(null);
    };
  }, [token]);

  // Display names of the people on screen: asked once per id, in batches, as they appear.
  const askedNamesRef = useRef(new Set<string>());
  useEffect(() => {
    if (!connection) return;
    const asked = askedNamesRef.current;
    const ids = namesWanted(state).filter((id) => !asked.has(id));
    for (let i = 0; i < ids.length; i += PROFILES_BATCH) {
      const batch = ids.slice(i, i + PROFILES_BATCH);
      for (const id of batch) asked.add(id);
      connection.client.users.profiles
        .query({ ids: batch })
        .then((profiles) => dispatch({ type: 'names', requested: batch, profiles }))
        .catch((error: unknown) => {
          // Lost with the socket: ask again later. Refused by the server: show ids, and stop asking.
          if (errorCode(error) === null) for (const id of batch) asked.delete(id);
          else dispatch({ type: 'names', requested: batch, profiles: [] });
        });
    }
  }, [connection, state]);

  function sendPending(conn: ParleyConnection, conversationId: string, pending: PendingMessage) {
    const { clientMessageId } = pending;
    dispatch({ type: 'pending.update', conversationId, clientMessageId, state: 'sending' });
    conn.client.chat.send
      .mutate({ conversationId, clientMessageId, text: pending.text })
      .then((message) => dispatch({ type: 'message', message, viewing: true }))
      .catch((error: unknown) => {
        const code = errorCode(error);
        if (code === null || code === 'TOO_MANY_REQUESTS') {
          // Lost with the socket or over the rate limit: same clientMessageId later, stored once.
          dispatch({ type: 'pending.update', conversationId, clientMessageId, state: 'queued' });
          if (code === 'TOO_MANY_REQUESTS') setTimeout(() => sendPending(conn, conversationId, pending), 1_000);
          return;
        }
        dispatch({ type: 'pending.update', conversationId, clientMessageId, state: 'failed', error: errorMessage(error) });
      });
  }

  const actions = useMemo<ChatActions>(() => {
    const need = () => {
      if (!connection) throw new Error('not connected yet');
      return connection;
    };
    return {
      async loadHistory(conversationId) {
        const page = await need().client.conversations.history.query({ conversationId, limit: HISTORY_PAGE });
        dispatch({ type: 'history.loaded', conversationId, messages: page.messages, nextBeforeSeq: page.nextBeforeSeq });
      },
      async loadOlder(conversationId) {
        const beforeSeq = stateRef.current.conversations[conversationId]?.nextBeforeSeq;
        if (beforeSeq === null || beforeSeq === undefined) return;
        const page = await need().client.conversations.history.query({ conversationId, beforeSeq, limit: HISTORY_PAGE });
        dispatch({ type: 'history.loaded', conversationId, messages: page.messages, nextBeforeSeq: page.nextBeforeSeq });
      },
      send(conversationId, text) {
        const pending: PendingMessage = { clientMessageId: newClientMessageId(), text, createdAt: new Date(), state: 'sending' };
        dispatch({ type: 'pending.add', conversationId, pending });
        if (connection) sendPending(connection, conversationId, pending);
      },
      retry(conversationId, clientMessageId) {
        const pending = stateRef.current.conversations[conversationId]?.pending.find((p) => p.clientMessageId === clientMessageId);
        if (pending && connection) sendPending(connection, conversationId, pending);
      },
      discard(conversationId, clientMessageId) {
        dispatch({ type: 'pending.remove', conversationId, clientMessageId });
      },
      markRead(conversationId, seq) {
        markerRef.current?.mark(conversationId, 'read', seq);
      },
      setTyping(conversationId, isTyping) {
        // Best effort: a lost typing signal lapses on its own.
        connection?.client.chat.typing.mutate({ conversationId, isTyping }).catch(() => undefined);
      },
      async setStatus(status, text) {
        const user = await need().client.chat.setStatus.mutate({ status, text });
        dispatch({ type: 'me', user });
      },
      async createConversation(memberIds, title) {
        const conversation = await need().client.conversations.create.mutate({ memberIds, ...(title ? { title } : {}) });
        dispatch({ type: 'conversation.added', conversation });
        return conversation;
      },
      async loadMoreConversations() {
        const cursor = stateRef.current.listCursor;
        if (!cursor) return;
        const page = await need().client.conversations.list.query({ limit: LIST_PAGE, cursor });
        dispatch({ type: 'list.loaded', items: page.items, nextCursor: page.nextCursor, append: true });
      },
      watchReceipts(conversationId) {
        if (!connection) return () => undefined;
        // The contract gives no receipt state with history, so replay this conversation's receipt
        // stream from its start: one-conversation event ids are positions, and 0 is before the first.
        const sub = connection.client.chat.receipts.subscribe(
          { conversationId, lastEventId: '0' },
          { onData: (event) => dispatch({ type: 'receipt', receipt: event.data }), onError: () => undefined },
        );
        return () => sub.unsubscribe();
      },
      setViewing(conversationId) {
        viewingRef.current = conversationId;
      },
      dismissToast(id) {
        setToasts((list) => list.filter((t) => t.id !== id));
      },
      async signOut() {
        signingOutRef.current = true;
        const conn = connection;
        if (conn) {
          // Ending the session on the server signs out this browser's other tabs too (they get 4401).
          await Promise.race([conn.client.auth.logout.mutate({}).catch(() => undefined), new Promise((r) => setTimeout(r, 3_000))]);
        }
        endedRef.current(null);
      },
    };
    // sendPending only uses dispatch and its arguments.
  }, [connection]);

  const value = useMemo(() => ({ state, status, toasts, actions }), [state, status, toasts, actions]);
  return <ChatContext.Provider value={value}>{props.children}</ChatContext.Provider>;
}
