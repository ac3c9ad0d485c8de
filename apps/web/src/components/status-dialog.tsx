'use client';

import { useId, useState, type FormEvent } from 'react';
import { useChat } from '@/state/chat-provider';
import { errorMessage } from '@/trpc/errors';
import type { User, UserStatus } from '@/trpc/types';
import { statusLabel } from '@/lib/people';
import { PresenceDot } from './avatar';
import { Modal, ModalActions } from './modal';

const statuses: UserStatus[] = ['online', 'away', 'busy', 'offline'];
const hints: Record<UserStatus, string> = {
  online: 'Available to chat',
  away: 'Stepped away for a bit',
  busy: 'Do not disturb',
  offline: 'Appear offline to others',
};

export function StatusDialog(props: { me: User; onClose: () => void }) {
  const { actions } = useChat();
  const textId = useId();
  const [status, setStatus] = useState<UserStatus>(props.me.status);
  const [text, setText] = useState(props.me.statusText ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await actions.setStatus(status, text.trim() || null);
      props.onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Modal title="Set your status" description="Everyone you chat with sees it, on all your devices." onClose={props.onClose}>
      <form onSubmit={submit} className="space-y-4">
        <fieldset>
          <legend className="sr-only">Status</legend>
          <div className="grid grid-cols-2 gap-2">
            {statuses.map((s) => (
              <label
                key={s}
                className={`flex cursor-pointer items-start gap-2 rounded-xl border px-3 py-2.5 text-sm transition has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-300 ${status === s ? 'border-indigo-500 bg-indigo-50' : 'border-slate-200 hover:bg-slate-50'}`}
              >
                <input type="radio" name="status" value={s} checked={status === s} onChange={() => setStatus(s)} className="sr-only" />
                <PresenceDot status={s} className="mt-1" />
                <span>
                  <span className="block font-medium">{statusLabel[s]}</span>
                  <span className="block text-xs text-slate-500">{hints[s]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <label htmlFor={textId} className="mb-1 block text-sm font-medium text-slate-700">Status message</label>
          <input
            id={textId}
            maxLength={140}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="What’s happening?"
            className="w-full rounded-lg border border-slate-300 px-3 py-2 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-200"
          />
        </div>
        <ModalActions error={error} busy={busy} busyLabel="Saving…" submitLabel="Save status" onClose={props.onClose} />
      </form>
    </Modal>
  );
}
