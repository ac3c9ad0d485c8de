'use client';

import type { Toast } from '@/state/chat-provider';

/** Service notifications (`admin.sendToUser` / `admin.broadcast`). */
export function Toasts(props: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div aria-live="polite" className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center gap-2 px-4">
      {props.toasts.map((toast) => (
        <div key={toast.id} role="status" className="pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-xl bg-slate-900 px-4 py-3 text-sm text-white shadow-lg">
          <div className="min-w-0 flex-1">
            <p className="font-semibold">{toast.title}</p>
            <p className="break-words text-slate-300">{toast.body}</p>
          </div>
          <button type="button" onClick={() => props.onDismiss(toast.id)} className="rounded px-1 text-slate-400 hover:text-white" aria-label="Dismiss notification">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
