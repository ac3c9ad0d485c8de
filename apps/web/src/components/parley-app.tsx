'use client';

import { useCallback } from 'react';
import { useToken } from '@/hooks/use-token';
import { setSignedOutNotice, writeToken } from '@/lib/session-store';
import { ChatProvider } from '@/state/chat-provider';
import { ChatShell } from './chat-shell';
import { SignIn } from './sign-in';

export function ParleyApp() {
  const token = useToken();
  const onSessionEnded = useCallback((notice: string | null) => {
    if (notice) setSignedOutNotice(notice);
    writeToken(null);
  }, []);

  if (token === undefined) {
    return <div className="flex h-dvh items-center justify-center text-sm text-slate-500" role="status">Loading Parley…</div>;
  }
  if (!token) return <SignIn onSignedIn={writeToken} />;
  return (
    // Keyed by token: a new session starts from empty state, never from the previous user's.
    <ChatProvider key={token} token={token} onSessionEnded={onSessionEnded}>
      <ChatShell />
    </ChatProvider>
  );
}
