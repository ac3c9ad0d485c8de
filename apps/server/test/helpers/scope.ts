import { afterEach } from 'vitest';
import type { Client } from './client.ts';
import { wsClient, type WsClientHandle } from './client.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts';

/**
 * Per-test resources, released after each test in reverse order: servers, clients, anything with
 * `close()`. Register it once per file with `const scope = useScope()`.
 */
export function useScope() {
  const stack: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (stack.length) await stack.pop()?.();
  });
  return {
    defer(fn: () => Promise<void> | void) {
      stack.push(fn);
    },
    async server(options?: TestServerOptions): Promise<TestServer> {
      const server = await startTestServer(options);
      stack.push(() => server.close());
      return server;
    },
    ws(server: { wsUrl: string }, token: string | null, options?: { retryDelayMs?: number }): WsClientHandle {
      const handle = wsClient(server.wsUrl, token, options);
      stack.push(() => handle.close());
      return handle;
    },
    /** Signs a user in through `auth.devLogin` and returns a connected client. */
    async user(server: { wsUrl: string }, displayName: string, userId?: string) {
      const anon = wsClient(server.wsUrl, null);
      const login = await anon.client.auth.devLogin.mutate({ displayName, ...(userId ? { userId } : {}) });
      await anon.close();
      const handle = this.ws(server, login.token);
      // The wsLink connects lazily: connect now, so the user is online from here on.
      await handle.client.users.me.query();
      return { ...login, id: login.user.id, client: handle.client as Client, handle };
    },
  };
}
