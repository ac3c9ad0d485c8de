'use client';

import { useChat } from '@/state/chat-provider';
import type { ConversationState } from '@/state/chat-state';
import { formatListTime } from '@/lib/format';
import { conversationTitle, otherMembers, personLabel, visibleStatus } from '@/lib/people';
import { Avatar } from './avatar';

export function ConversationList(props: {
  conversations: ConversationState[];
  filter: string;
  selected: string | null;
  onSelect: (id: string) => void;
  loaded: boolean;
  hasMore: boolean;
  onLoadMore: () => void;
  onNew: () => void;
}) {
  const { state } = useChat();
  const needle = props.filter.trim().toLowerCase();
  const shown = needle
    ? props.conversations.filter((c) => conversationTitle(c, state).toLowerCase().includes(needle) || c.conversation.memberIds.some((id) => id.toLowerCase().includes(needle)))
    : props.conversations;

  if (!props.loaded) {
    return (
      <div className="space-y-1 px-2" aria-hidden="true">
        {[0, 1, 2].map((i) => (
          <div key={i} className="flex animate-pulse items-center gap-3 rounded-xl px-2 py-3">
            <span className="h-10 w-10 rounded-full bg-slate-200" />
            <span className="flex-1 space-y-2">
              <span className="block h-3 w-1/2 rounded bg-slate-200" />
              <span className="block h-3 w-3/4 rounded bg-slate-100" />
            </span>
          </div>
        ))}
      </div>
    );
  }

  if (props.conversations.length === 0) {
    return (
      <div className="px-6 py-10 text-center text-sm text-slate-500">
        <p className="font-medium text-slate-700">No conversations yet</p>
        <p className="mt-1">Share your id, or start a chat with someone else’s.</p>
        <button type="button" onClick={props.onNew} className="mt-3 font-medium text-indigo-600 hover:underline">
          Start a conversation
        </button>
      </div>
    );
  }

  return (
    <nav aria-label="Conversation list" className="min-h-0 flex-1 overflow-y-auto px-2 pb-4">
      <ul className="space-y-0.5" data-testid="conversation-list">
        {shown.map((conv) => (
          <li key={conv.conversation.id}>
            <ConversationRow conv={conv} active={conv.conversation.id === props.selected} onSelect={props.onSelect} />
          </li>
        ))}
      </ul>
      {shown.length === 0 && <p className="px-4 py-6 text-center text-sm text-slate-500">No conversation matches “{props.filter}”.</p>}
      {props.hasMore && (
        <button type="button" onClick={props.onLoadMore} className="mx-auto mt-2 block text-sm font-medium text-indigo-600 hover:underline">
          Show older conversations
        </button>
      )}
    </nav>
  );
}

function ConversationRow(props: { conv: ConversationState; active: boolean; onSelect: (id: string) => void }) {
  const { state } = useChat();
  const { conv } = props;
  const me = state.me;
  const others = otherMembers(conv, me);
  const direct = others.length === 1;
  const title = conversationTitle(conv, state);
  const last = conv.lastMessage;
  const typists = Object.keys(conv.typing).filter((id) => id !== me?.id);
  const status = direct ? visibleStatus(state.presence[others[0]!]) : undefined;
  const preview = typists.length
    ? null
    : last
      ? `${last.senderId === me?.id ? 'You: ' : direct ? '' : `${personLabel(last.senderId, state)}: `}${last.text}`
      : 'No messages yet';
  const unread = conv.unreadCount;

  return (
    <button
      type="button"
      onClick={() => props.onSelect(conv.conversation.id)}
      aria-current={props.active ? 'page' : undefined}
      data-testid="conversation-row"
      data-conversation-id={conv.conversation.id}
      className={`flex w-full items-center gap-3 rounded-xl px-2 py-2.5 text-left transition ${props.active ? 'bg-indigo-50' : 'hover:bg-slate-50'}`}
    >
      <Avatar id={direct ? others[0]! : conv.conversation.id} label={title} status={status} group={!direct} />
      <span className="min-w-0 flex-1">
        <span className="flex items-baseline gap-2">
          <span className={`min-w-0 flex-1 truncate text-sm ${unread ? 'font-semibold text-slate-900' : 'font-medium text-slate-800'}`}>{title}</span>
          {last && (
            <time className={`shrink-0 text-xs ${unread ? 'font-medium text-indigo-600' : 'text-slate-400'}`} dateTime={last.createdAt.toISOString()}>
              {formatListTime(last.createdAt)}
            </time>
          )}
        </span>
        <span className="mt-0.5 flex items-center gap-2">
          {preview === null ? (
            <span className="min-w-0 flex-1 truncate text-sm italic text-indigo-600">typing…</span>
          ) : (
            <span className={`min-w-0 flex-1 truncate text-sm ${unread ? 'text-slate-700' : 'text-slate-500'}`} data-testid="conversation-preview">
              {preview}
            </span>
          )}
          {unread > 0 && (
            <span className="inline-flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-indigo-600 px-1.5 text-xs font-semibold text-white" data-testid="unread-count">
              <span className="sr-only">Unread messages: </span>
              {unread > 99 ? '99+' : unread}
            </span>
          )}
        </span>
      </span>
    </button>
  );
}
