import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import superjson from 'superjson';
import {
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  TRPCError,
} from '@trpc/server/unstable-core-do-not-import';
import type { AnyRouter } from '@trpc/server';
import type { Context, Logger } from '@parley/api';
import { FAST_STREAM, toStreamEvent, type StreamItem, type TrackedSubscription } from '@parley/api/streams';

/** The subscriptions whose events this layer writes to sockets itself. */
const FAST_PATHS = new Set(['chat.messages', 'chat.receipts']);
/** Close code for a consumer that fell too far behind: reconnectable, and it resumes from its id. */
export const TOO_SLOW = 1013;

type Id = string | number;
interface SubscriptionMessage {
  id: Id;
  jsonrpc?: '2.0';
  method: 'subscription';
  params: { path: string; input?: unknown; lastEventId?: string };
}
type Incoming = { id?: Id | null; method?: string; params?: { path?: string } } & Record<string, unknown>;
interface Serialized {
  json: string;
  meta: string;
  /** Keyed by the subscription's frame head; the frame is reused only for the same event id. */
  frames: Map<string, { eventId: string; frame: Buffer }>;
}
/** Drops a socket at once with a TCP reset, discarding what is queued for it (nothing of it will be read). */
function resetSocket(ws: WebSocket): void {
  const socket = (ws as unknown as { _socket?: Socket | null })._socket;
  if (socket && typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
  ws.terminate();
}

/** A Buffer passed to `ws` goes out as a binary frame unless told otherwise; wsLink expects text. */
const TEXT_FRAME = { binary: false } as const;

export interface FastSubscriptionsOptions {
  router: AnyRouter;
  log: Logger;
  /** Bytes queued on a socket beyond which it is closed with 1013. @default 4 MiB */
  maxBufferedBytes?: number;
}

/**
 * The WebSocket fast path for `chat.messages` and `chat.receipts`, in tRPC's own wire format (so
 * `@trpc/client`'s wsLink, resume included, works unchanged). The procedure still runs through tRPC
 * (middlewares, input validation, membership, errors); only delivery differs: an event is serialized
 * once per instance and each socket's frame is spliced from it, with no async generator, promise or
 * superjson pass per socket. Everything else is handed to tRPC's own handler untouched.
 */
export class FastSubscriptions {
  readonly #router: AnyRouter;
  readonly #log: Logger;
  readonly #maxBuffered: number;
  /**
   * Per event item: its superjson `json` and `meta` text, and the last frame built from them per
   * subscription head. Subscribers of one conversation usually share both the head (wsLink numbers
   * subscriptions from 1 on every connection) and the event id (the position), so one Buffer is
   * encoded per event and written to all of them, as a plain `ws` broadcast would.
   */
  readonly #serialized = new WeakMap<object, Serialized>();

  constructor(options: FastSubscriptionsOptions) {
    this.#router = options.router;
    this.#log = options.log;
    this.#maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  }

  /**
   * A view of `ws` for tRPC's connection handler: it sees every message except the fast
   * subscriptions (and their stops), which are served here with the connection's context.
   */
  wrap(ws: WebSocket, context: Promise<Context>): WebSocket {
    const forwarded = new Set<(data: WebSocket.RawData, isBinary: boolean) => void>();
    const mine = new Map<Id, AbortController>();
    const forward = (data: WebSocket.RawData, isBinary: boolean) => {
      for (const listener of forwarded) listener(data, isBinary);
    };

    ws.on('message', (data, isBinary) => {
      if (isBinary) return forward(data, isBinary);
      const text = data.toString();
      if (!text.includes('"subscription')) return forward(data, isBinary);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return forward(data, isBinary);
      }
      const messages = (Array.isArray(parsed) ? parsed : [parsed]) as Incoming[];
      const rest: Incoming[] = [];
      for (const msg of messages) {
        if (msg?.method === 'subscription' && FAST_PATHS.has(String(msg.params?.path)) && msg.id != null) {
          void this.#start(ws, context, mine, msg as unknown as SubscriptionMessage);
        } else if (msg?.method === 'subscription.stop' && msg.id != null && mine.has(msg.id)) {
          mine.get(msg.id)?.abort();
        } else {
          rest.push(msg);
        }
      }
      if (rest.length === messages.length) return forward(data, isBinary);
      if (rest.length) forward(Buffer.from(JSON.stringify(Array.isArray(parsed) ? rest : rest[0])), false);
    });
    ws.on('close', () => {
      for (const controller of mine.values()) controller.abort();
      mine.clear();
    });

    return new Proxy(ws, {
      get(target, prop) {
        if (prop === 'on' || prop === 'addListener') {
          return (event: string, listener: (...args: never[]) => void) => {
            if (event === 'message') forwarded.add(listener as never);
            else target.on(event, listener as (...args: unknown[]) => void);
            return target;
          };
        }
        if (prop === 'off' || prop === 'removeListener') {
          return (event: string, listener: (...args: never[]) => void) => {
            if (event === 'message') forwarded.delete(listener as never);
            else target.off(event, listener as (...args: unknown[]) => void);
            return target;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  async #start(ws: WebSocket, context: Promise<Context>, mine: Map<Id, AbortController>, msg: SubscriptionMessage): Promise<void> {
    const { id, jsonrpc } = msg;
    const path = msg.params.path;
    const config = this.#router._def._config;
    const respond = (body: Record<string, unknown>) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(transformTRPCResponse(config, { id, jsonrpc, ...body } as never)));
    };
    if (mine.has(id)) {
      respond({ error: getErrorShape({ config, error: new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` }), type: 'subscription', path, input: undefined, ctx: undefined }) });
      return;
    }
    const abort = new AbortController();
    mine.set(id, abort);
    let ctx: Context | undefined;
    let input: unknown;
    try {
      ctx = await context;
      input = config.transformer.input.deserialize(msg.params.input);
      if (msg.params.lastEventId !== undefined) {
        input = typeof input === 'object' && input !== null ? { ...input, lastEventId: msg.params.lastEventId } : { lastEventId: msg.params.lastEventId };
      }
      const result = (await callProcedure({
        router: this.#router,
        path,
        getRawInput: async () => input,
        ctx,
        type: 'subscription',
        signal: abort.signal,
        batchIndex: 0,
      })) as { [FAST_STREAM]?: TrackedSubscription<'messages' | 'receipts'> } | null;
      const sub = result?.[FAST_STREAM];
      if (!sub) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `${path} did not return a tracked stream` });
      if (abort.signal.aborted || ws.readyState !== ws.OPEN) {
        sub.close();
        return;
      }
      abort.signal.addEventListener('abort', () => {
        sub.close();
        mine.delete(id);
        respond({ result: { type: 'stopped' } });
      }, { once: true });
      respond({ result: { type: 'started' } });
      const head = `{"id":${JSON.stringify(id)},"result":{"type":"data","id":`;
      sub.start({
        data: (eventId, item) => this.#write(ws, head, eventId, item),
        fail: (cause) => {
          const error = getTRPCErrorFromUnknown(cause);
          respond({ error: getErrorShape({ config, error, type: 'subscription', path, input, ctx }) });
          mine.delete(id);
        },
      });
    } catch (cause) {
      mine.delete(id);
      const error = getTRPCErrorFromUnknown(cause);
      respond({ error: getErrorShape({ config, error, type: 'subscription', path, input, ctx }) });
    }
  }

  #write(ws: WebSocket, head: string, eventId: string, item: StreamItem<'messages' | 'receipts'>): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.#maxBuffered) {
      // Memory stays bounded; the client reconnects and resumes from the last id it got.
      this.#log.info('closing a socket that stopped reading', { bufferedBytes: ws.bufferedAmount });
      ws.close(TOO_SLOW, 'too slow: reconnect and resume');
      // The close frame waits behind what the peer is not reading: give it a second, then reset the
      // connection. A plain close leaves the kernel an orphan socket still trying to deliver megabytes
      // to a zero window (slow-consumer bench: 20 orphans holding ~80 MB of TCP memory; 0 with the reset).
      setTimeout(() => resetSocket(ws), 1000).unref();
      return;
    }
    let cached = this.#serialized.get(item);
    if (!cached) {
      // superjson of `{ id, data }` as tRPC would send it; `id` is a string, so it adds no meta.
      const { json, meta } = superjson.serialize({ id: '', data: toStreamEvent(item) });
      cached = { json: JSON.stringify((json as { data: unknown }).data), meta: meta ? `,"meta":${JSON.stringify(meta)}` : '', frames: new Map() };
      this.#serialized.set(item, cached);
    }
    const last = cached.frames.get(head);
    if (last && last.eventId === eventId) {
      ws.send(last.frame, TEXT_FRAME);
      return;
    }
    const idJson = JSON.stringify(eventId);
    const frame = Buffer.from(`${head}${idJson},"data":{"json":{"id":${idJson},"data":${cached.json}}${cached.meta}}}}`);
    cached.frames.set(head, { eventId, frame });
    ws.send(frame, TEXT_FRAME);
  }
}
