import { tracked, type TrackedEnvelope } from '@trpc/server';
import type { Message, Receipt, StreamKind } from '@parley/db';
import { topics, type BusEvent } from '../schema/bus.ts';
import type { MessageEvent, ReceiptEvent } from '../schema/shapes.ts';
import type { Deps, TopicSubscription } from '../ports.ts';
import { AsyncQueue } from './async-queue.ts';
import { decodeCursor, encodeMulti, encodeSingle } from './cursor.ts';
import { openTopics } from './open-topics.ts';

/**
 * How far back a fresh all-conversations subscription looks for writes still in flight when it starts.
 * A send transaction that runs longer than this could be missed by a resume (documented limit).
 */
const IN_FLIGHT_MARGIN_MS = 5_000;
const PAGE = 200;
/** Signals waiting behind a gap read; past this the subscriber is failed and resumes from its id. */
const MAX_PENDING = 10_000;

export type StreamItem<K extends StreamKind> = K extends 'messages' ? Message : Receipt;
export type StreamEvent<K extends StreamKind> = K extends 'messages' ? MessageEvent : ReceiptEvent;
type Queued = { live: BusEvent } | { resync: true };
type Read = { conversationIds: string[]; after: Record<string, number>; since: Date | null };

function positionOf(item: Message | Receipt): number {
  return 'rseq' in item ? item.rseq : item.seq;
}

/** The contract's event for a stored item. */
export function toStreamEvent<K extends StreamKind>(item: StreamItem<K>): StreamEvent<K> {
  if (!('rseq' in item)) return { type: 'message.created', message: item } as StreamEvent<K>;
  const { rseq: _rseq, ...rest } = item;
  return { type: 'receipt', ...rest } as unknown as StreamEvent<K>;
}

function itemOf<K extends StreamKind>(kind: K, event: BusEvent): StreamItem<K> | null {
  if (kind === 'messages' && event.t === 'message') return event.message as StreamItem<K>;
  if (kind === 'receipts' && event.t === 'receipt') return event.receipt as StreamItem<K>;
  return null;
}

/** Where a subscription's events go, in order. */
export interface StreamSink<K extends StreamKind> {
  /** `item` is the same object for every local subscriber of an event: a sink may serialize it once. */
  data(id: string, item: StreamItem<K>): void;
  fail(error: unknown): void;
}

export interface TrackedStreamOptions<K extends StreamKind> {
  deps: Deps;
  kind: K;
  userId: string;
  /** One conversation (membership already checked), or every conversation of the user. */
  conversationId?: string;
  lastEventId?: string | null;
  /** Ends the stream: the subscription stopped or its socket closed. */
  signal: AbortSignal;
}

/**
 * One `chat.messages` / `chat.receipts` subscriber. Positions are gapless per conversation, so
 * duplicates are dropped and gaps (events that crossed instances out of order, or were lost while
 * Redis was down) are read from the store. In-order live events go to the sink synchronously, with
 * no queue or promise per event: that is what lets one instance fan out to thousands of sockets.
 */
export class TrackedSubscription<K extends StreamKind> {
  readonly kind: K;
  readonly #deps: Deps;
  readonly #single: boolean;
  /** Last delivered position per conversation: exact for every conversation followed. */
  readonly #at = new Map<string, number>();
  /** Conversations listed in the event id (all-conversations form). */
  readonly #listed = new Map<string, number>();
  #floor = new Date(0);
  #topics: TopicSubscription | null = null;
  #sink: StreamSink<K> | null = null;
  /** Signals that arrived before `start` or while a store read is running. */
  #pending: Queued[] = [];
  #draining = false;
  #closed = false;

  private constructor(deps: Deps, kind: K, single: boolean) {
    this.#deps = deps;
    this.kind = kind;
    this.#single = single;
  }

  /**
   * Resolves once the listener is live and the starting positions are read, so whatever is sent after
   * the client hears "started" reaches it. The backlog is queued for `start`.
   */
  static async open<K extends StreamKind>(options: TrackedStreamOptions<K>): Promise<TrackedSubscription<K>> {
    const { deps, kind, userId, conversationId, signal } = options;
    const single = conversationId !== undefined;
    const sub = new TrackedSubscription(deps, kind, single);
    const conversationIds = single ? [conversationId] : await deps.store.conversationIdsOf(userId);
    sub.#topics = await openTopics(deps, signal, {
      topics: [...conversationIds.map(topics.conversation), ...(single ? [] : [topics.user(userId)])],
      listener: (_topic, event) => sub.#live(event),
      onResync: () => sub.#signal({ resync: true }),
    });
    signal.addEventListener('abort', () => sub.close(), { once: true });
    try {
      await sub.#begin(conversationIds, options.lastEventId ?? null, conversationId);
    } catch (error) {
      sub.close();
      throw error;
    }
    return sub;
  }

  /** Delivers the backlog, then live events, to `sink`. */
  start(sink: StreamSink<K>): void {
    if (this.#sink || this.#closed) return;
    this.#sink = sink;
    void this.#drain();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#topics?.close();
    this.#pending = [];
  }

  /** The backlog, as signals ahead of any live one. */
  #backlog: Array<StreamItem<K>> = [];

  async #begin(conversationIds: string[], lastEventId: string | null, conversationId: string | undefined): Promise<void> {
    const { store } = this.#deps;
    const at = this.#at;
    const cursor = lastEventId ? decodeCursor(lastEventId, conversationId) : null;
    const heads = await store.streamHeads(this.kind, conversationIds, new Date(0));
    if (cursor) {
      this.#floor = cursor.floor ?? new Date(0);
      const after = Object.fromEntries(Object.entries(cursor.after).filter(([id]) => conversationIds.includes(id)));
      this.#backlog = await this.#readAll({ conversationIds, after, since: cursor.floor });
      for (const [id, position] of Object.entries(after)) {
        at.set(id, position);
        this.#listed.set(id, position);
      }
      // Conversations with nothing after the floor: what they hold was delivered before it.
      const inBacklog = new Set(this.#backlog.map((i) => i.conversationId));
      for (const id of conversationIds) if (!at.has(id) && !inBacklog.has(id)) at.set(id, heads[id] ?? 0);
      return;
    }
    this.#floor = this.#single ? new Date(0) : new Date((await store.now()).getTime() - IN_FLIGHT_MARGIN_MS);
    for (const id of conversationIds) at.set(id, heads[id] ?? 0);
    if (!this.#single) {
      // Recent activity is listed in the id, so a resume does not replay it.
      const recent = await store.streamHeads(this.kind, conversationIds, this.#floor);
      for (const [id, position] of Object.entries(recent)) this.#listed.set(id, Math.min(position, heads[id] ?? position));
    }
    // Whatever committed between the heads and now: nothing, or a few duplicates of live events.
    this.#backlog = await this.#readAll({ conversationIds, after: Object.fromEntries(at), since: null });
  }

  /** Called once per local subscriber of every event of its topics: the fan-out's inner loop. */
  #live(event: BusEvent): void {
    if (this.#closed) return;
    const item = itemOf(this.kind, event);
    if (!item && event.t !== 'membership') return;
    // The hot path: an in-order live event with nothing queued ahead of it.
    if (item && this.#sink && !this.#draining && this.#pending.length === 0) {
      const last = this.#at.get(item.conversationId);
      if (last === undefined || positionOf(item) <= last) return;
      if (positionOf(item) === last + 1) {
        this.#emit(item);
        return;
      }
    }
    this.#signal({ live: event });
  }

  #signal(queued: Queued): void {
    if (this.#closed) return;
    if (this.#pending.length >= MAX_PENDING) {
      this.#fail(new Error('subscriber too slow: resubscribe with lastEventId'));
      return;
    }
    this.#pending.push(queued);
    if (this.#sink && !this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      const backlog = this.#backlog;
      this.#backlog = [];
      for (const item of backlog) this.#emit(item);
      while (!this.#closed && this.#pending.length) {
        const next = this.#pending.shift()!;
        for (const item of await this.#itemsFor(next)) this.#emit(item);
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#draining = false;
    }
  }

  #emit(item: StreamItem<K>): void {
    if (this.#closed || !this.#sink) return;
    const position = positionOf(item);
    const last = this.#at.get(item.conversationId);
    if (last !== undefined && position <= last) return;
    this.#at.set(item.conversationId, position);
    if (this.#single) {
      this.#sink.data(encodeSingle(position), item);
      return;
    }
    this.#listed.set(item.conversationId, position);
    this.#sink.data(encodeMulti(this.#floor, this.#listed), item);
  }

  #fail(error: unknown): void {
    const sink = this.#sink;
    this.close();
    sink?.fail(error);
  }

  /** What a queued signal adds to the stream, in order. */
  async #itemsFor(next: Queued): Promise<Array<StreamItem<K>>> {
    const at = this.#at;
    if ('resync' in next) return this.#readAll({ conversationIds: [...at.keys()], after: Object.fromEntries(at), since: null });
    if (next.live.t === 'membership') {
      const id = next.live.conversationId;
      if (this.#single || at.has(id)) return [];
      at.set(id, 0);
      await this.#topics?.add(topics.conversation(id));
      return this.#readAll({ conversationIds: [id], after: { [id]: 0 }, since: null });
    }
    const item = itemOf(this.kind, next.live);
    if (!item) return [];
    const last = at.get(item.conversationId);
    if (last === undefined || positionOf(item) <= last) return [];
    if (positionOf(item) === last + 1) return [item];
    return this.#readAll({ conversationIds: [item.conversationId], after: { [item.conversationId]: last }, since: null });
  }

  async #readAll(read: Read): Promise<Array<StreamItem<K>>> {
    const out: Array<StreamItem<K>> = [];
    const after = { ...read.after };
    for (;;) {
      const page = (await this.#deps.store.readStream(this.kind, { ...read, after, limit: PAGE })) as Array<StreamItem<K>>;
      for (const item of page) {
        out.push(item);
        after[item.conversationId] = Math.max(after[item.conversationId] ?? 0, positionOf(item));
      }
      if (page.length < PAGE) return out;
    }
  }
}

/** Marks the generator of a tracked stream: the WebSocket fast path drives the subscription directly. */
export const FAST_STREAM = Symbol.for('parley.trackedSubscription');

export type TrackedStream<K extends StreamKind> = AsyncGenerator<TrackedEnvelope<StreamEvent<K>>, void, unknown> & {
  [FAST_STREAM]: TrackedSubscription<K>;
};

/**
 * The procedure result: an async generator for tRPC's generic transports, carrying the subscription
 * so a transport that can write frames itself skips the generator and its per-event promises.
 */
export async function openTrackedStream<K extends StreamKind>(options: TrackedStreamOptions<K>): Promise<TrackedStream<K>> {
  const sub = await TrackedSubscription.open(options);
  const generator = (async function* stream(): AsyncGenerator<TrackedEnvelope<StreamEvent<K>>, void, unknown> {
    const queue = new AsyncQueue<TrackedEnvelope<StreamEvent<K>> | { error: unknown }>();
    sub.start({
      data: (id, item) => queue.push(tracked(id, toStreamEvent<K>(item))),
      fail: (error) => queue.push({ error }),
    });
    try {
      for (;;) {
        const next = await queue.next(options.signal);
        if (next === undefined) return;
        if ('error' in next) throw next.error;
        yield next;
      }
    } finally {
      sub.close();
    }
  })();
  return Object.assign(generator, { [FAST_STREAM]: sub });
}
