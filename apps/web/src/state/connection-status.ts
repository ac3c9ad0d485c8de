import type { ParleyConnection } from '@/trpc/client';

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'offline';

/** Failed attempts in a row before the banner says offline rather than reconnecting. */
const ATTEMPTS_BEFORE_OFFLINE = 3;

/**
 * Follows the wsClient's `connectionState` (idle → connecting → pending = open, back to connecting
 * with an error after a close) and names it for people. `onReconnected` fires each time the socket
 * opens again after having been open, which is when the UI refreshes what streams do not replay.
 */
export function watchConnection(
  connection: ParleyConnection,
  handlers: { onStatus: (status: ConnectionStatus) => void; onReconnected: () => void },
): () => void {
  const { wsClient } = connection;
  let wasOpen = false;
  let failures = 0;
  let socket: ConnectionStatus = 'connecting';
  let browserOffline = typeof navigator !== 'undefined' && !navigator.onLine;
  let last: ConnectionStatus | null = null;

  const emit = () => {
    const status = browserOffline && socket !== 'online' ? 'offline' : socket;
    if (status === last) return;
    last = status;
    handlers.onStatus(status);
  };

  const subscription = wsClient.connectionState.subscribe({
    next: (state) => {
      if (state.state === 'idle') return;
      if (state.state === 'pending') {
        failures = 0;
        socket = 'online';
        const reconnected = wasOpen;
        wasOpen = true;
        emit();
        if (reconnected) handlers.onReconnected();
        return;
      }
      if (state.error) failures += 1;
      socket = failures > ATTEMPTS_BEFORE_OFFLINE ? 'offline' : wasOpen ? 'reconnecting' : 'connecting';
      emit();
    },
  });

  // The browser knows about a lost network before the socket does: a socket over a dead network
  // can look open until keep-alive gives up, so drop it now and let wsClient reconnect (and resume
  // the streams from their last event ids) once the network is back.
  const onOffline = () => {
    browserOffline = true;
    wsClient.connection?.ws.close();
    emit();
  };
  const onOnline = () => {
    browserOffline = false;
    emit();
  };
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  return () => {
    subscription.unsubscribe();
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
  };
}
