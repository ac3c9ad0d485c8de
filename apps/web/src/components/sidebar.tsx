'use client';

import { useState } from 'react';
import { useChat } from '@/state/chat-provider';
import { sortedConversations } from '@/state/chat-state';
import { statusLabel } from '@/lib/people';
import { Avatar } from './avatar';
import { ConversationList } from './conversation-list';
import { CopyIcon, PlusIcon, SignOutIcon } from './icons';
import { NewConversationDialog } from './new-conversation-dialog';
import { StatusDialog } from './status-dialog';

export function Sidebar(props: { selected: string | null; onSelect: (id: string) => void }) {
  const { state, actions } = useChat();
  const [creating, setCreating] = useState(false);
  const [editingStatus, setEditingStatus] = useState(false);
  const [filter, setFilter] = useState('');
  const [copied, setCopied] = useState(false);
  const me = state.me;
  const conversations = sortedConversations(state);

  async function copyId() {
    if (!me) return;
    try {
      await navigator.clipboard.writeText(me.id);
      setCopied(true);
      setTimeout(() => setCopied(false), 1_500);
    } catch {
      // Clipboard refused (insecure origin): the id stays visible and selectable.
    }
  }

  return (
    <>
      <header className="border-b border-slate-200 px-4 pb-3 pt-4">
        <div className="flex items-center gap-3">
          {me ? (
            <button
              type="button"
              onClick={() => setEditingStatus(true)}
              className="flex min-w-0 flex-1 items-center gap-3 rounded-xl p-1 text-left transition hover:bg-slate-100"
              aria-label={`Your status: ${statusLabel[me.status]}${me.statusText ? `, ${me.statusText}` : ''}. Change status`}
            >
              <Avatar id={me.id} label={me.displayName} status={me.status} />
              <span className="min-w-0">
                <span className="block truncate text-sm font-semibold" data-testid="my-name">{me.displayName}</span>
                <span className="block truncate text-xs text-slate-500" data-testid="my-status">
                  {statusLabel[me.status]}
                  {me.statusText ? ` · ${me.statusText}` : ''}
                </span>
              </span>
            </button>
          ) : (
            <span className="flex-1 text-sm text-slate-400">Loading profile…</span>
          )}
          <button
            type="button"
            onClick={() => void actions.signOut()}
            className="rounded-lg p-2 text-slate-500 transition hover:bg-slate-100 hover:text-slate-800"
            aria-label="Sign out"
            title="Sign out"
          >
            <SignOutIcon />
          </button>
        </div>
        {me && (
          <div className="mt-2 flex items-center gap-2 rounded-lg bg-slate-50 px-2.5 py-1.5 text-xs text-slate-500">
            <span>Your id</span>
            <code className="min-w-0 flex-1 truncate font-mono text-slate-800 select-all" data-testid="my-user-id">{me.id}</code>
            <button type="button" onClick={() => void copyId()} className="inline-flex items-center gap-1 rounded px-1.5 py-0.5 font-medium text-indigo-600 hover:bg-indigo-50" aria-label="Copy your user id">
              <CopyIcon className="h-3.5 w-3.5" />
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        )}
      </header>

      <div className="flex items-center gap-2 px-4 pb-2 pt-3">
        <h2 className="flex-1 text-base font-semibold">Chats</h2>
        <button
          type="button"
          onClick={() => setCreating(true)}
          className="inline-flex items-center gap-1 rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm transition hover:bg-indigo-500"
        >
          <PlusIcon className="h-4 w-4" />
          New chat
        </button>
      </div>
      <div className="px-4 pb-2">
        <label className="sr-only" htmlFor="conversation-filter">Search conversations</label>
        <input
          id="conversation-filter"
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="Search"
          className="w-full rounded-lg border-0 bg-slate-100 px-3 py-2 text-sm outline-none ring-indigo-200 placeholder:text-slate-400 focus:bg-white focus:ring-2"
        />
      </div>

      <ConversationList
        conversations={conversations}
        filter={filter}
        selected={props.selected}
        onSelect={props.onSelect}
        loaded={state.listLoaded}
        hasMore={state.listCursor !== null}
        onLoadMore={() => void actions.loadMoreConversations()}
        onNew={() => setCreating(true)}
      />

      {creating && (
        <NewConversationDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            props.onSelect(id);
          }}
        />
      )}
      {editingStatus && me && <StatusDialog me={me} onClose={() => setEditingStatus(false)} />}
    </>
  );
}
