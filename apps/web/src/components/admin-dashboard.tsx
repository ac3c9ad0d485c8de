'use client';

import { useEffect, useId, useState, type FormEvent } from 'react';
import { createParleyConnection } from '@/trpc/client';
import { errorCode, errorMessage } from '@/trpc/errors';
import type { AdminStats } from '@/trpc/types';
import { withTimeout } from '@/lib/timeout';
import { watchConnection, type ConnectionStatus } from '@/state/connection-status';
import { ConnectionBanner } from './connection-banner';

const POLL_MS = 2_000;
/** The service token stays in this tab only: it is an operator secret, not a user session. */
const TOKEN_KEY = 'parley.serviceToken';

export function AdminDashboard() {
  const [token, setToken] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => setToken(window.sessionStorage.getItem(TOKEN_KEY)), []);

  const save = (value: string | null) => {
    if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
    else window.sessionStorage.removeItem(TOKEN_KEY);
    setToken(value);
  };

  return (
    <div className="min-h-dvh bg-slate-50">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl items-center gap-3 px-4 py-3">
          <span className="inline-flex h-8 w-8 items-center justify-center rounded-lg bg-indigo-600 text-sm font-bold text-white" aria-hidden="true">P</span>
          <h1 className="flex-1 text-lg font-semibold">Parley admin</h1>
          <a href="/" className="text-sm font-medium text-indigo-600 hover:underline">Open chat</a>
          {token && (
            <button type="button" onClick={() => save(null)} className="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100">
              Forget token
            </button>
          )}
        </div>
      </header>
      {token ? (
        <Stats
          key={token}
          token={token}
          onRejected={(message) => {
            setNotice(message);
            save(null);
          }}
        />
      ) : (
        <TokenForm notice={notice} onSubmit={(value) => { setNotice(null); save(value); }} />
      )}
    </div>
  );
}

function TokenForm(props: { notice: string | null; onSubmit: (token: string) => void }) {
  const id = useId();
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) props.onSubmit(value.trim());
  };
  return (
    <main className="mx-auto max-w-md px-4 py-16">
      <form onSubmit={submit} className="space-y-4 rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <div>
          <h2 className="text-base font-semibold">Service token</h2>
          <p className="mt-1 text-sm text-slate-500">The server’s <code className="font-mono">SERVICE_TOKEN</code>. It is kept in this tab only.</p>
        </div>
        {props.notice && <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800">{props.notice}</p>}
        <div>
          <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">Token</label>
          <input
            id={id}
            type="password"
            autoComplete="off"
            required
            autoFocus
            value={value}
            onChange={(e) => setValue(e.target.value)}
            className="w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-200"
          />
        </div>
        <button type="submit" className="w-full rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-indigo-500">
          Show stats
        </button>
      </form>
    </main>
  );
}

function Stats(props: { token: string; onRejected: (message: string) => void }) {
  const [stats, setStats] = useState<AdminStats | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const { onRejected } = props;

  useEffect(() => {
    const connection = createParleyConnection(props.token);
    const stopWatching = watchConnection(connection, { onStatus: setStatus, onReconnected: () => undefined });
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    // Polled one after another, so a slow answer never stacks requests.
    const poll = async () => {
      try {
        const next = await withTimeout(connection.client.admin.stats.query(), 10_000, 'admin.stats');
        if (stopped) return;
        setStats(next);
        setUpdatedAt(new Date());
        setError(null);
      } catch (err) {
        if (stopped) return;
        const code = errorCode(err);
        if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') {
          onRejected(`The server refused this token: ${errorMessage(err)}`);
          return;
        }
        setError(errorMessage(err));
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();

    return () => {
      stopped = true;
      clearTimeout(timer);
      stopWatching();
      void connection.wsClient.close();
    };
  }, [props.token, onRejected]);

  return (
    <>
      <ConnectionBanner status={status} />
      <main className="mx-auto max-w-5xl space-y-6 px-4 py-8">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="text-xl font-semibold">Cluster</h2>
          <p className="text-xs text-slate-500" aria-live="polite">
            {updatedAt ? `Updated ${updatedAt.toLocaleTimeString()} · refreshes every ${POLL_MS / 1000} s` : 'Loading…'}
          </p>
        </div>
        {error && <p role="alert" className="rounded-lg bg-amber-50 px-4 py-2 text-sm text-amber-900">{error}</p>}
        <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          <Card label="Live instances" value={stats?.instances} testId="stat-instances" />
          <Card label="Connections" value={stats?.totalConnections} testId="stat-connections" />
          <Card label="Connected users" value={stats?.connectedUsers.length} testId="stat-users" />
        </dl>
        {stats && (
          <div className="grid gap-6 md:grid-cols-3">
            <section className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 md:col-span-2">
              <h3 className="mb-3 text-sm font-semibold text-slate-700">Connected users</h3>
              {stats.connectedUsers.length === 0 ? (
                <p className="text-sm text-slate-500">Nobody is connected.</p>
              ) : (
                <ul className="flex flex-wrap gap-2" data-testid="connected-users">
                  {stats.connectedUsers.map((id) => (
                    <li key={id} className="inline-flex items-center gap-1.5 rounded-full bg-emerald-50 px-2.5 py-1 font-mono text-xs text-emerald-800 ring-1 ring-emerald-200">
                      <span className="h-1.5 w-1.5 rounded-full bg-emerald-500" aria-hidden="true" />
                      {id}
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
              <h3 className="mb-3 text-sm font-semibold text-slate-700">Settings</h3>
              <dl className="space-y-2 text-sm">
                <div className="flex justify-between gap-2"><dt className="text-slate-500">Keep-alive ping</dt><dd>{stats.pingIntervalSeconds} s</dd></div>
                <div className="flex justify-between gap-2"><dt className="text-slate-500">Session idle timeout</dt><dd>{formatDuration(stats.sessionIdleTimeoutSeconds)}</dd></div>
              </dl>
            </section>
          </div>
        )}
      </main>
    </>
  );
}

function Card(props: { label: string; value: number | undefined; testId: string }) {
  return (
    <div className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <dt className="text-sm text-slate-500">{props.label}</dt>
      <dd className="mt-1 text-3xl font-semibold tabular-nums" data-testid={props.testId}>{props.value ?? '–'}</dd>
    </div>
  );
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round((seconds / 3600) * 10) / 10} h`;
}
