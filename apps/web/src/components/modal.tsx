'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A native modal `<dialog>`: the browser traps focus, closes it on Escape, and gives focus back to
 * the button that opened it.
 */
export function Modal(props: { title: string; description?: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    // `close` is dispatched as a task: one queued by a close we undid (React's StrictMode remount
    // closes and reopens) arrives while the dialog is open again, and is not a close.
    const handle = () => {
      if (!dialog.open) onClose.current();
    };
    dialog.addEventListener('close', handle);
    return () => {
      dialog.removeEventListener('close', handle);
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-2xl bg-white p-0 shadow-2xl ring-1 ring-slate-200"
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === ref.current) ref.current.close();
      }}
    >
      <div className="p-6">
        <div className="mb-4 flex items-start gap-4">
          <div className="flex-1">
            <h2 id={titleId} className="text-lg font-semibold text-slate-900">{props.title}</h2>
            {props.description && <p className="mt-1 text-sm text-slate-500">{props.description}</p>}
          </div>
          <button type="button" onClick={() => ref.current?.close()} className="-mr-2 -mt-1 rounded-lg p-2 text-slate-400 hover:bg-slate-100 hover:text-slate-700" aria-label="Close">
            ✕
          </button>
        </div>
        {props.children}
      </div>
    </dialog>
  );
}

/** The end of a dialog's form: its error, Cancel, and the submit button (busy while it works). */
export function ModalActions(props: { error: string | null; busy: boolean; busyLabel: string; submitLabel: string; onClose: () => void }) {
  return (
    <>
      {props.error && <p role="alert" className="text-sm text-rose-600">{props.error}</p>}
      <div className="flex justify-end gap-2">
        <button type="button" onClick={props.onClose} className="rounded-lg px-4 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100">
          Cancel
        </button>
        <button type="submit" disabled={props.busy} className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-50">
          {props.busy ? props.busyLabel : props.submitLabel}
        </button>
      </div>
    </>
  );
}
