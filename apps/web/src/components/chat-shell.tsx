'use client';

import { useEffect } from 'react';
import { useSelectedConversation } from '@/hooks/use-selected-conversation';
import { useChat } from '@/state/chat-provider';
import { ConnectionBanner } from './connection-banner';
import { ConversationView } from './conversation-view';
import { ChatBubblesIcon } from './icons';
import { Sidebar } from './sidebar';
import { Toasts } from './toasts';

/** Two panes on wide screens; on a phone either the list or the open conversation. */
export function ChatShell() {
  const { state, status, toasts, actions } = useChat();
  const [selected, select] = useSelectedConversation();
  const conversation = selected ? state.conversations[selected] : undefined;

  useEffect(() => actions.setViewing(conversation ? conversation.conversation.id : null), [actions, conversation]);

  return (
    <div className="flex h-dvh flex-col">
      <ConnectionBanner status={status} />
      <div className="flex min-h-0 flex-1">
        <aside
          aria-label="Conversations"
          className={`min-h-0 w-full flex-col bg-white md:flex md:border-r md:border-slate-200 md:w-80 lg:w-96 ${selected ? 'hidden' : 'flex'}`}
        >
          <Sidebar selected={selected} onSelect={select} />
        </aside>
        <main className={`min-h-0 min-w-0 flex-1 flex-col bg-slate-50 md:flex ${selected ? 'flex' : 'hidden'}`}>
          {conversation ? (
            <ConversationView key={conversation.conversation.id} conv={conversation} onBack={() => select(null)} />
          ) : selected && !state.listLoaded ? (
            <p className="m-auto text-sm text-slate-500" role="status">Loading conversation…</p>
          ) : selected ? (
            <EmptyPane title="Conversation not found" body="It may not exist, or you are not a member of it." onBack={() => select(null)} />
          ) : (
            <EmptyPane title="Pick a conversation" body="Choose a chat on the left, or start a new one with someone’s user id." />
          )}
        </main>
      </div>
      <Toasts toasts={toasts} onDismiss={actions.dismissToast} />
    </div>
  );
}

function EmptyPane(props: { title: string; body: string; onBack?: () => void }) {
  return (
    <div className="m-auto flex max-w-xs flex-col items-center gap-3 p-6 text-center">
      <span className="inline-flex h-14 w-14 items-center justify-center rounded-2xl bg-indigo-100 text-indigo-600">
        <ChatBubblesIcon className="h-7 w-7" />
      </span>
      <h2 className="text-lg font-semibold text-slate-800">{props.title}</h2>
      <p className="text-sm text-slate-500">{props.body}</p>
      {props.onBack && (
        <button type="button" onClick={props.onBack} className="text-sm font-medium text-indigo-600 hover:underline">
          Back to conversations
        </button>
      )}
    </div>
  );
}
