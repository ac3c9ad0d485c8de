import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter } from '@parley/api';
import superjson from 'superjson';
import { parleyWsUrl } from './server-url';

/** The server closes a socket with this code when its session ends (logout elsewhere, idle timeout). */
export const SESSION_ENDED_CLOSE_CODE = 4401;

export interface ConnectionCallbacks {
  onOpen?: () => void;
  onClose?: (code: number | undefined) => void;
}

/**
 * One WebSocket per signed-in tab. wsLink re-sends open subscriptions after a reconnect with the last
 * tracked event id, which is how `chat.messages` / `chat.receipts` catch up on what was missed.
 */
export function createParleyConnection(token: string | null, callbacks: ConnectionCallbacks = {}) {
  const wsClient = createWSClient({
    url: parleyWsUrl(),
    // Without a token only public procedures answer (`auth.devLogin`).
    connectionParams: token ? { token } : {},
    // tRPC's default backoff grows to 30 s; a chat should come back within a few seconds of the network.
    retryDelayMs: (attempt) => (attempt === 0 ? 0 : Math.min(500 * 2 ** attempt, 5_000)),
    onOpen: () => callbacks.onOpen?.(),
    onClose: (cause) => callbacks.onClose?.(cause?.code),
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient, transformer: superjson })] });
  return { client, wsClient };
}

export type ParleyConnection = ReturnType<typeof createParleyConnection>;
export type ParleyClient = ParleyConnection['client'];
