'use client';

import { useEffect, useState } from 'react';
import { useChat } from '@/state/chat-provider';
import type { ConversationState } from '@/state/chat-state';
import { formatLastSeen } from '@/lib/format';
import { conversationTitle, otherMembers, personLabel, statusLabel, visibleStatus } from '@/lib/people';
import { Avatar, PresenceDot } from './avatar';
import { Composer } from './composer';
import { BackIcon } from './icons';
import { MessageList } from './message-list';

export function ConversationView(props: { conv: ConversationState; onBack: () => void }) {
  const { state, actions } = useChat();
  const { conv } = props;
  const id = conv.conversation.id;
  const me = state.me;
  const [historyError, setHistoryError] = useState<string | null>(null);

  // First page once per open; receipts from the start of the conversation for the ticks.
  useEffect(() => {
    if (!conv.historyLoaded) actions.loadHistory(id).catch(() => setHistoryError('Could not load messages. They will appear when the connection is back.'));
    return actions.watchReceipts(id);
    // Only on open: later renders of the same conversation must not refetch.
  }, [id, actions]);

  // Open and visible is read. The server lowers the seq to the newest message of someone else.
  const last = conv.lastMessage;
  const needsRead = last !== null && (conv.unreadCount > 0 || last.senderId !== me?.id);
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === 'visible');
    update();
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  useEffect(() => {
    if (needsRead && visible && last) actions.markRead(id, last.seq);
  }, [actions, id, needsRead, visible, last]);

  const others = otherMembers(conv, me);
  const direct = others.length === 1;
  const title = conversationTitle(conv, state);
  const typists = Object.keys(conv.typing).filter((u) => u !== me?.id);

  return (
    <section aria-label={`Conversation with ${title}`} className="flex min-h-0 flex-1 flex-col">
      <header className="flex items-center gap-3 border-b border-slate-200 bg-white px-3 py-2.5 md:px-5">
        <button type="button" onClick={props.onBack} className="-ml-1 rounded-lg p-2 text-slate-600 hover:bg-slate-100 md:hidden" aria-label="Back to conversations">
          <BackIcon />
        </button>
        <Avatar id={direct ? others[0]! : id} label={title} status={direct ? visibleStatus(state.presence[others[0]!]) : undefined} group={!direct} />
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-base font-semibold leading-tight" data-testid="conversation-title">{title}</h2>
          <p className="truncate text-xs text-slate-500" data-testid="conversation-subtitle" aria-live="polite">
            {typists.length > 0 ? (
              <span className="font-medium text-indigo-600" data-testid="typing-indicator">{typingText(typists.map((u) => personLabel(u, state)))}</span>
            ) : direct ? (
              <PeerSummary userId={others[0]!} />
            ) : (
              `${conv.conversation.memberIds.length} members · ${others.filter((u) => state.presence[u]?.online).length + 1} online`
            )}
          </p>
        </div>
        {!direct && <MembersMenu conv={conv} />}
      </header>

      {historyError && !conv.historyLoaded && (
        <p role="alert" className="bg-amber-50 px-4 py-2 text-center text-sm text-amber-900">{historyError}</p>
      )}
      <MessageList conv={conv} />
      <Composer conversationId={id} title={title} />
    </section>
  );
}

function typingText(names: string[]): string {
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

function PeerSummary(props: { userId: string }) {
  const { state } = useChat();
  const presence = state.presence[props.userId];
  const status = visibleStatus(presence);
  const text = presence?.statusText;
  const base = status === 'offline' ? formatLastSeen(presence?.lastSeenAt ?? null) : statusLabel[status];
  return (
    <span data-testid="peer-status" data-status={status}>
      {base}
      {text ? ` · ${text}` : ''}
    </span>
  );
}

function MembersMenu(props: { conv: ConversationState }) {
  const { state } = useChat();
  const me = state.me;
  return (
    <details className="relative">
      <summary className="cursor-pointer list-none rounded-lg px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 [&::-webkit-details-marker]:hidden">
        Members
      </summary>
      <ul className="absolute right-0 z-20 mt-2 max-h-80 w-72 overflow-y-auto rounded-xl bg-white p-2 shadow-xl ring-1 ring-slate-200">
        {props.conv.conversation.memberIds.map((id) => {
          const presence = state.presence[id];
          const status = visibleStatus(presence);
          return (
            <li key={id} className="flex items-center gap-3 rounded-lg px-2 py-1.5">
              <PresenceDot status={status} />
              <span className="min-w-0 flex-1">
                <span className="block truncate text-sm font-medium">{personLabel(id, state)}{id === me?.id ? ' (you)' : ''}</span>
                <span className="block truncate text-xs text-slate-500">
                  {statusLabel[status]}
                  {presence?.statusText ? ` · ${presence.statusText}` : ''}
                </span>
              </span>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
