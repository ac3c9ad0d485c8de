'use client';

import { useEffect, useId, useState, type FormEvent } from 'react';
import { createParleyConnection } from '@/trpc/client';
import { errorCode, errorMessage } from '@/trpc/errors';
import { slugUserId } from '@/lib/ids';
import { takeSignedOutNotice } from '@/lib/session-store';
import { TimeoutError, withTimeout } from '@/lib/timeout';
import { ChatBubblesIcon } from './icons';

type Mode = 'dev' | 'token';

export function SignIn(props: { onSignedIn: (token: string) => void }) {
  const [mode, setMode] = useState<Mode>('dev');
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => setNotice(takeSignedOutNotice()), []);

  return (
    <main className="flex min-h-dvh items-center justify-center bg-gradient-to-br from-indigo-50 via-slate-50 to-sky-50 px-4 py-10">
      <div className="w-full max-w-md">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <span className="inline-flex h-14 w-14 items-center justify-center rounded-2xl bg-indigo-600 text-white shadow-lg shadow-indigo-200">
            <ChatBubblesIcon className="h-8 w-8" />
          </span>
          <h1 className="text-2xl font-semibold tracking-tight">Sign in to Parley</h1>
          <p className="text-sm text-slate-500">Real-time conversations, on every device.</p>
        </div>

        {notice && (
          <p role="alert" className="mb-4 rounded-xl border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
            {notice}
          </p>
        )}

        <div className="rounded-2xl bg-white p-6 shadow-xl shadow-slate-200/60 ring-1 ring-slate-200">
          <div role="tablist" aria-label="Sign-in method" className="mb-6 grid grid-cols-2 rounded-lg bg-slate-100 p-1 text-sm font-medium">
            {(['dev', 'token'] as const).map((m) => (
              <button
                key={m}
                type="button"
                role="tab"
                aria-selected={mode === m}
                onClick={() => setMode(m)}
                className={`rounded-md px-3 py-1.5 transition ${mode === m ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-500 hover:text-slate-700'}`}
              >
                {m === 'dev' ? 'Pick a name' : 'Paste a token'}
              </button>
            ))}
          </div>
          <div role="tabpanel" aria-label={mode === 'dev' ? 'Pick a name' : 'Paste a token'}>
          {mode === 'dev' ? <DevSignIn onSignedIn={props.onSignedIn} onForbidden={() => setMode('token')} /> : <TokenSignIn onSignedIn={props.onSignedIn} />}
          </div>
        </div>
        <p className="mt-6 text-center text-xs text-slate-400">
          Operators: <a className="underline hover:text-slate-600" href="/admin">admin dashboard</a>
        </p>
      </div>
    </main>
  );
}

function DevSignIn(props: { onSignedIn: (token: string) => void; onForbidden: () => void }) {
  const nameId = useId();
  const idId = useId();
  const [name, setName] = useState('');
  const [userId, setUserId] = useState('');
  const [idEdited, setIdEdited] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const suggested = idEdited ? userId : slugUserId(name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { client, wsClient } = createParleyConnection(null);
    try {
      const result = await withTimeout(
        client.auth.devLogin.mutate({ displayName: name.trim(), ...(suggested ? { userId: suggested } : {}) }),
        8_000,
        'The Parley server',
      );
      props.onSignedIn(result.token);
    } catch (err) {
      if (errorCode(err) === 'FORBIDDEN') {
        setError('This server does not offer dev sign-in. Paste a token from your identity provider instead.');
        props.onForbidden();
      } else if (err instanceof TimeoutError || errorCode(err) === null) {
        setError('Cannot reach the Parley server. Is it running?');
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
      void wsClient.close();
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Sign in with a display name">
      <div>
        <label htmlFor={nameId} className="mb-1 block text-sm font-medium text-slate-700">Display name</label>
        <input
          id={nameId}
          required
          maxLength={60}
          autoFocus
          autoComplete="nickname"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Ada Lovelace"
          className="w-full rounded-lg border border-slate-300 px-3 py-2 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-200"
        />
      </div>
      <div>
        <label htmlFor={idId} className="mb-1 block text-sm font-medium text-slate-700">User id</label>
        <input
          id={idId}
          maxLength={64}
          pattern="[A-Za-z0-9_\-]+"
          value={suggested}
          onChange={(e) => {
            setIdEdited(true);
            setUserId(e.target.value);
          }}
          placeholder="ada-lovelace"
          aria-describedby={`${idId}-hint`}
          className="w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-200"
        />
        <p id={`${idId}-hint`} className="mt-1 text-xs text-slate-500">
          Others start conversations with you by this id. Signing in with an existing id continues as that user.
        </p>
      </div>
      {error && <p role="alert" className="text-sm text-rose-600">{error}</p>}
      <button
        type="submit"
        disabled={busy || !name.trim()}
        className="w-full rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm transition hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-50"
      >
        {busy ? 'Signing in…' : 'Continue'}
      </button>
    </form>
  );
}

function TokenSignIn(props: { onSignedIn: (token: string) => void }) {
  const tokenId = useId();
  const [token, setToken] = useState('');
  return (
    <form
      aria-label="Sign in with a token"
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        // The token is checked by the first call on the socket; a bad one comes back here with a notice.
        props.onSignedIn(token.trim());
      }}
    >
      <div>
        <label htmlFor={tokenId} className="mb-1 block text-sm font-medium text-slate-700">Access token</label>
        <textarea
          id={tokenId}
          required
          rows={4}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="eyJhbGciOi…"
          className="w-full resize-none rounded-lg border border-slate-300 px-3 py-2 font-mono text-xs outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-200"
        />
        <p className="mt-1 text-xs text-slate-500">A JWT or Firebase ID token accepted by this server.</p>
      </div>
      <button
        type="submit"
        disabled={!token.trim()}
        className="w-full rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm transition hover:bg-indigo-500 disabled:opacity-50"
      >
        Sign in
      </button>
    </form>
  );
}
