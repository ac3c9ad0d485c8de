/**
 * Hand-rolled minimal clients, one per target, over the same `ws` client: a generator holds thousands
 * of them, so each does only what its protocol requires (auth, subscribe, send, answer pings) and
 * leaves delivery frames unparsed (the owner finds the payload marker in the raw bytes).
 */
import WebSocket from 'ws';

export type TargetName = 'raw-ws' | 'socketio' | 'parley';
export interface Cred {
  userId: string;
  token: string;
}

export interface ConnOptions {
  base: string;
  cred: Cred;
  localAddress?: string;
  timeoutMs: number;
  /** Called with every frame that may carry a delivery (subscriber connections only). */
  onDelivery?: (buf: Buffer) => boolean;
  onClose?: (code: number) => void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export abstract class ClientConn {
  protected ws!: WebSocket;
  closed = false;
  closeCode = 0;
  constructor(protected readonly o: ConnOptions) {}

  protected abstract path(): string;
  /** Frames that are not deliveries: handshakes, acks, pings. */
  protected abstract control(text: string): void;
  protected abstract authenticate(): Promise<void>;
  abstract subscribe(room: string | null): Promise<void>;
  /** Resolves with nothing on success; rejects with the server's error message. */
  abstract send(room: string, text: string, cid: string): Promise<void>;

  open(): Promise<void> {
    return this.within(
      new Promise<void>((resolve, reject) => {
        this.ws = new WebSocket(this.o.base + this.path(), {
          perMessageDeflate: false,
          // The generator's own cost per frame matters on 2 cores; the payload is ASCII.
          skipUTF8Validation: true,
          handshakeTimeout: this.o.timeoutMs,
          ...(this.o.localAddress ? { localAddress: this.o.localAddress } : {}),
        });
        this.ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (this.o.onDelivery && this.o.onDelivery(data)) return;
          if (!isBinary) this.control(data.toString());
        });
        this.ws.once('open', () => {
          this.authenticate().then(resolve, reject);
        });
        this.ws.on('error', (error) => reject(error));
        this.ws.on('close', (code) => {
          this.closed = true;
          this.closeCode = code;
          this.failAll(new Error(`closed ${code}`));
          reject(new Error(`closed ${code} before ready`));
          this.o.onClose?.(code);
        });
      }),
      'open',
    );
  }

  /** Turns an idle connection into a subscriber's (the harness reuses idle connections for fan-out). */
  setDeliveryHandler(fn: (buf: Buffer) => boolean): void {
    this.o.onDelivery = fn;
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  close(): void {
    if (this.closed) return;
    this.ws.terminate();
  }

  protected write(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  protected pending = new Map<number | string, Pending>();
  protected nextId = 1;

  protected expect(key: number | string): Promise<unknown> {
    return new Promise((resolve, reject) => this.pending.set(key, { resolve, reject }));
  }

  protected settle(key: number | string, error: string | null, value?: unknown): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    if (error === null) p.resolve(value);
    else p.reject(new Error(error));
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  protected within<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

/** Baseline 1: JSON frames, replies in order. */
class RawWsConn extends ClientConn {
  private fifo: Array<Pending> = [];
  protected path() {
    return '/';
  }
  protected control(text: string) {
    let msg: { t?: string };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.t === 'authed' || msg.t === 'joined' || msg.t === 'sent') this.fifo.shift()?.resolve(msg);
  }
  private call(body: object): Promise<unknown> {
    const p = new Promise((resolve, reject) => this.fifo.push({ resolve, reject }));
    this.write(JSON.stringify(body));
    return p;
  }
  protected authenticate() {
    return this.call({ t: 'auth', token: this.o.cred.token }).then(() => undefined);
  }
  subscribe(room: string | null) {
    return this.within(this.call({ t: 'join', room }), 'join').then(() => undefined);
  }
  send(room: string, text: string, cid: string) {
    return this.call({ t: 'send', room, cid, text }).then(() => undefined);
  }
}

/** Baseline 2: Engine.IO v4 / Socket.IO v5 packets over a bare WebSocket. */
class SocketIoConn extends ClientConn {
  private connected: Pending | null = null;
  protected path() {
    return '/socket.io/?EIO=4&transport=websocket';
  }
  protected control(text: string) {
    const c = text.charCodeAt(0);
    if (text === '2') {
      this.write('3');
      return;
    }
    if (c === 0x30 /* 0 open */) {
      this.write(`40${JSON.stringify({ token: this.o.cred.token })}`);
      return;
    }
    if (c !== 0x34 /* 4 message */) return;
    const type = text.charCodeAt(1);
    if (type === 0x30 /* 0 connect */) {
      this.connected?.resolve(undefined);
      this.connected = null;
    } else if (type === 0x34 /* 4 connect_error */) {
      this.connected?.reject(new Error(`connect_error ${text.slice(2)}`));
      this.connected = null;
    } else if (type === 0x33 /* 3 ack */) {
      const bracket = text.indexOf('[');
      this.settle(Number(text.slice(2, bracket)), null, text.slice(bracket));
    }
  }
  protected authenticate() {
    return new Promise<void>((resolve, reject) => {
      this.connected = { resolve: () => resolve(), reject };
    });
  }
  private emit(event: string, arg: unknown): Promise<unknown> {
    const id = this.nextId++;
    const p = this.expect(id);
    this.write(`42${id}${JSON.stringify([event, arg])}`);
    return p;
  }
  subscribe(room: string | null) {
    return this.within(this.emit('join', room), 'join').then(() => undefined);
  }
  send(room: string, text: string, cid: string) {
    return this.emit('send', { room, cid, text }).then(() => undefined);
  }
}

/** Parley: tRPC v11 WebSocket wire format with the superjson transformer. */
class ParleyConn extends ClientConn {
  protected path() {
    return '/trpc?connectionParams=1';
  }
  protected control(text: string) {
    if (text === 'PING') {
      this.write('PONG');
      return;
    }
    if (text === 'PONG') return;
    let msg: { id?: number | null; result?: { type?: string }; error?: { json?: { message?: string; data?: { code?: string } } } };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.id == null) {
      if (msg.error) this.settle('auth', `${msg.error.json?.data?.code ?? ''} ${msg.error.json?.message ?? 'error'}`);
      return;
    }
    if (msg.error) this.settle(msg.id, `${msg.error.json?.data?.code ?? ''} ${msg.error.json?.message ?? 'error'}`);
    else if (msg.result?.type === 'started' || msg.result?.type === 'data') this.settle(msg.id, null, msg.result);
    else if (msg.result?.type === 'stopped') this.settle(msg.id, 'subscription stopped');
  }
  private call(method: string, path: string, input: unknown): Promise<unknown> {
    const id = this.nextId++;
    const p = this.expect(id);
    this.write(JSON.stringify({ id, method, params: { path, input: input === undefined ? { json: null, meta: { values: ['undefined'] } } : { json: input } } }));
    return p;
  }
  protected async authenticate() {
    this.write(JSON.stringify({ method: 'connectionParams', data: { token: this.o.cred.token } }));
    // A round trip proves the context (and so the identity) exists; errors reject.
    const me = this.call('query', 'users.me', undefined);
    this.pending.set('auth', this.pending.get(this.nextId - 1)!);
    await me;
    this.pending.delete('auth');
  }
  subscribe(room: string | null) {
    return this.within(this.call('subscription', 'chat.messages', room === null ? {} : { conversationId: room }), 'subscribe').then(() => undefined);
  }
  send(room: string, text: string, cid: string) {
    return this.call('mutation', 'chat.send', { conversationId: room, clientMessageId: cid, text }).then(() => undefined);
  }
}

export function createConn(target: TargetName, options: ConnOptions): ClientConn {
  if (target === 'raw-ws') return new RawWsConn(options);
  if (target === 'socketio') return new SocketIoConn(options);
  return new ParleyConn(options);
}
