'use client';

import type { ConnectionStatus } from '@/state/connection-status';

const copy: Record<Exclude<ConnectionStatus, 'online'>, { text: string; tone: string }> = {
  connecting: { text: 'Connecting…', tone: 'bg-slate-700 text-white' },
  reconnecting: { text: 'Connection lost. Reconnecting…', tone: 'bg-amber-500 text-amber-950' },
  offline: { text: 'You are offline. Messages you send will go out when the connection is back.', tone: 'bg-rose-600 text-white' },
};

/** Always in the DOM, so screen readers announce changes of the live region. */
export function ConnectionBanner(props: { status: ConnectionStatus }) {
  const shown = props.status === 'online' ? null : copy[props.status];
  return (
    <div role="status" aria-live="polite" data-connection={props.status} className="shrink-0">
      {shown && (
        <p className={`flex items-center justify-center gap-2 px-4 py-1.5 text-center text-sm font-medium ${shown.tone}`}>
          <span className="inline-block h-2 w-2 animate-pulse rounded-full bg-current opacity-70" aria-hidden="true" />
          {shown.text}
        </p>
      )}
    </div>
  );
}
