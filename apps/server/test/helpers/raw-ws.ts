import WebSocket from 'ws';

export interface TrpcError {
  message: string;
  data: { code: string };
}

/** A bare WebSocket speaking tRPC's wire protocol by hand: for close codes, pings and bad frames. */
export class RawSocket {
  readonly ws: WebSocket;
  readonly messages: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.messages.push(data.toString());
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
  }

  /** @param answerPings reply PONG to the server's PING, as @trpc/client does @default true */
  static async open(wsUrl: string, token: string | null, options: { answerPings?: boolean } = {}): Promise<RawSocket> {
    const ws = new WebSocket(token ? `${wsUrl}?connectionParams=1` : wsUrl, { autoPong: true });
    // `ws` answers protocol pings itself; tRPC's keep-alive is the text "PING", answered (or not) here.
    const socket = new RawSocket(ws);
    if (options.answerPings ?? true) ws.on('message', (data) => data.toString() === 'PING' && ws.send('PONG'));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (token) ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
    return socket;
  }

  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a query or mutation and resolves with the parsed response of that id. */
  async call(id: number, method: 'query' | 'mutation', path: string, input?: unknown): Promise<{ result?: { data: unknown }; error?: TrpcError }> {
    // superjson on the wire: `{ json }` (an absent input serializes to `{}`).
    this.send(JSON.stringify({ id, method, params: { path, input: input === undefined ? {} : { json: input } } }));
    const found = (await this.waitFor((msg) => msg.id === id)) as { result?: { data: { json: unknown } }; error?: { json: TrpcError } };
    return {
      ...(found.result ? { result: { data: found.result.data.json } } : {}),
      ...(found.error ? { error: found.error.json } : {}),
    };
  }

  /** The error of a frame, unwrapped from superjson. */
  static errorOf(msg: Record<string, unknown>): TrpcError | null {
    return ((msg.error as { json?: TrpcError } | undefined)?.json ?? null) as TrpcError | null;
  }

  async waitFor(match: (msg: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const raw of this.messages) {
        if (raw === 'PING' || raw === 'PONG') continue;
        const msg = JSON.parse(raw) as Record<string, unknown>;
        if (match(msg)) return msg;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message in ${timeoutMs} ms; got ${this.messages.slice(-3).join(' | ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.terminate();
  }
}
