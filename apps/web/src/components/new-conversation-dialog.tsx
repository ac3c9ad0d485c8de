'use client';

import { useId, useState, type FormEvent } from 'react';
import { useChat } from '@/state/chat-provider';
import { knownContacts } from '@/state/chat-state';
import { errorCode, errorMessage } from '@/trpc/errors';
import { parseUserIds } from '@/lib/ids';
import { personLabel, visibleStatus } from '@/lib/people';
import { Avatar } from './avatar';
import { Modal, ModalActions } from './modal';

export function NewConversationDialog(props: { onClose: () => void; onCreated: (conversationId: string) => void }) {
  const { state, actions } = useChat();
  const idsId = useId();
  const titleId = useId();
  const [typed, setTyped] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const contacts = knownContacts(state);
  const me = state.me;
  const memberIds = [...new Set([...picked, ...parseUserIds(typed)])].filter((id) => id !== me?.id);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (memberIds.length === 0) {
      setError(parseUserIds(typed).includes(me?.id ?? '') ? 'That is your own id: enter someone else’s.' : 'Enter at least one user id.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const conversation = await actions.createConversation(memberIds, memberIds.length > 1 ? title.trim() : undefined);
      props.onCreated(conversation.id);
    } catch (err) {
      setError(errorCode(err) === 'NOT_FOUND' ? `${errorMessage(err).replace(/^memberIds: /, '')}. They need to sign in once first.` : errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Modal title="New conversation" description="Chat with one person, or several at once." onClose={props.onClose}>
      <form onSubmit={submit} className="space-y-4">
        {contacts.length > 0 && (
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-slate-700">People you know</legend>
            <ul className="max-h-44 space-y-0.5 overflow-y-auto rounded-xl border border-slate-200 p-1">
              {contacts.map((id) => (
                <li key={id}>
                  <label className="flex cursor-pointer items-center gap-3 rounded-lg px-2 py-1.5 text-sm hover:bg-slate-50">
                    <input
                      type="checkbox"
                      checked={picked.includes(id)}
                      onChange={(e) => setPicked((list) => (e.target.checked ? [...list, id] : list.filter((x) => x !== id)))}
                      className="h-4 w-4 rounded border-slate-300 accent-indigo-600"
                    />
                    <Avatar id={id} label={personLabel(id, state)} size="sm" status={visibleStatus(state.presence[id])} />
                    <span className="min-w-0 flex-1 truncate">
                      {personLabel(id, state)}
                      {personLabel(id, state) !== id && <span className="ml-2 font-mono text-xs text-slate-400">{id}</span>}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
        <div>
          <label htmlFor={idsId} className="mb-1 block text-sm font-medium text-slate-700">{contacts.length ? 'Or add user ids' : 'User ids'}</label>
          <input
            id={idsId}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoFocus
            placeholder="grace-hopper, alan-turing"
            aria-describedby={`${idsId}-hint`}
            className="w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-200"
          />
          <p id={`${idsId}-hint`} className="mt-1 text-xs text-slate-500">Separate several ids with commas or spaces. People share their id from the top of their chat list.</p>
        </div>
        {memberIds.length > 1 && (
          <div>
            <label htmlFor={titleId} className="mb-1 block text-sm font-medium text-slate-700">Group name <span className="font-normal text-slate-400">(optional)</span></label>
            <input
              id={titleId}
              maxLength={120}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              placeholder="Project Apollo"
              className="w-full rounded-lg border border-slate-300 px-3 py-2 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-200"
            />
          </div>
        )}
        <ModalActions error={error} busy={busy} busyLabel="Starting…" submitLabel={memberIds.length > 1 ? `Start group (${memberIds.length + 1})` : 'Start chat'} onClose={props.onClose} />
      </form>
    </Modal>
  );
}
