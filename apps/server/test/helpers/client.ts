import WebSocket from 'ws';
import superjson from 'superjson';
import { createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@parley/api';

export type Client = TRPCClient<AppRouter>;

export interface WsClientHandle {
  client: Client;
  ws: ReturnType<typeof createWSClient>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A `@trpc/client` over a real WebSocket, as an outside TypeScript service would use it. */
export function wsClient(wsUrl: string, token: string | null, options: { retryDelayMs?: number } = {}): WsClientHandle {
  const ws = createWSClient({
    url: wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: token ? { token } : null,
    retryDelayMs: () => options.retryDelayMs ?? 100,
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws, transformer: superjson })] });
  const close = async () => {
    await ws.close();
  };
  return { client, ws, close, [Symbol.asyncDispose]: close };
}

export function httpClient(url: string, token: string | null): Client {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, transformer: superjson, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

/** Collects what a subscription yields, and waits for a count or a condition. */
export class Collected<T> {
  readonly items: T[] = [];
  readonly errors: unknown[] = [];
  #waiters: Array<() => void> = [];

  push(item: T): void {
    this.items.push(item);
    for (const wake of this.#waiters.splice(0)) wake();
  }
  fail(error: unknown): void {
    this.errors.push(error);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async until(condition: (items: T[]) => boolean, timeoutMs = 10_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.items)) {
      if (this.errors.length) throw this.errors[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms with ${this.items.length} items: ${JSON.stringify(this.items.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.items;
  }

  count(n: number, timeoutMs?: number): Promise<T[]> {
    return this.until((items) => items.length >= n, timeoutMs);
  }
}
