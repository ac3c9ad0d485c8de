import { tracked, type TrackedEnvelope } from '@trpc/server';
import type { Message, Receipt, StreamKind } from '@parley/db';
import { topics, type BusEvent } from '../schema/bus.ts';
import type { MessageEvent, ReceiptEvent } from '../schema/shapes.ts';
import type { Deps } from '../ports.ts';
import { AsyncQueue } from './async-queue.ts';
import { decodeCursor, encodeMulti, encodeSingle } from './cursor.ts';
import { openTopics } from './open-topics.ts';

/**
 * How far back a fresh all-conversations subscription looks for writes still in flight when it starts.
 * A send transaction that runs longer than this could be missed by a resume (documented limit).
 */
const IN_FLIGHT_MARGIN_MS = 5_000;
const PAGE = 200;

type Item<K extends StreamKind> = K extends 'messages' ? Message : Receipt;
type Out<K extends StreamKind> = K extends 'messages' ? MessageEvent : ReceiptEvent;
type Queued = { live: BusEvent } | { resync: true };
type Read = { conversationIds: string[]; after: Record<string, number>; since: Date | null };

function positionOf(item: Message | Receipt): number {
  return 'rseq' in item ? item.rseq : item.seq;
}

function toEvent(item: Message | Receipt): MessageEvent | ReceiptEvent {
  if (!('rseq' in item)) return { type: 'message.created', message: item };
  const { rseq: _rseq, ...rest } = item;
  return { type: 'receipt', ...rest };
}

function itemOf<K extends StreamKind>(kind: K, event: BusEvent): Item<K> | null {
  if (kind === 'messages' && event.t === 'message') return event.message as Item<K>;
  if (kind === 'receipts' && event.t === 'receipt') return event.receipt as Item<K>;
  return null;
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
 * `chat.messages` / `chat.receipts`. Resolves once the listener is live and the starting positions
 * are read, so that whatever is sent after the client hears "started" reaches it; then the backlog,
 * then live events. Positions are gapless per conversation: duplicates are dropped and gaps (events
 * that crossed instances out of order, or were lost while Redis was down) are read from the store.
 */
export async function openTrackedStream<K extends StreamKind>(
  options: TrackedStreamOptions<K>,
): Promise<AsyncGenerator<TrackedEnvelope<Out<K>>, void, unknown>> {
  const { deps, kind, userId, conversationId, signal } = options;
  const single = conversationId !== undefined;
  const conversationIds = single ? [conversationId] : await deps.store.conversationIdsOf(userId);
  const queue = new AsyncQueue<Queued>();
  const subscription = await openTopics(deps, signal, {
    topics: [...conversationIds.map(topics.conversation), ...(single ? [] : [topics.user(userId)])],
    listener: (_topic, event) => queue.push({ live: event }),
    onResync: () => queue.push({ resync: true }),
  });

  const readAll = async (read: Read): Promise<Array<Item<K>>> => {
    const out: Array<Item<K>> = [];
    const after = { ...read.after };
    for (;;) {
      const page = (await deps.store.readStream(kind, { ...read, after, limit: PAGE })) as Array<Item<K>>;
      for (const item of page) {
        out.push(item);
        after[item.conversationId] = Math.max(after[item.conversationId] ?? 0, positionOf(item));
      }
      if (page.length < PAGE) return out;
    }
  };

  /** Last delivered position per conversation: exact for every conversation followed. */
  const at = new Map<string, number>();
  /** Conversations listed in the event id (all-conversations form). */
  const listed = new Map<string, number>();
  let floor: Date;
  let backlog: Array<Item<K>>;
  try {
    const cursor = options.lastEventId ? decodeCursor(options.lastEventId, conversationId) : null;
    const heads = await deps.store.streamHeads(kind, conversationIds, new Date(0));
    if (cursor) {
      floor = cursor.floor ?? new Date(0);
      const after = Object.fromEntries(Object.entries(cursor.after).filter(([id]) => conversationIds.includes(id)));
      backlog = await readAll({ conversationIds, after, since: cursor.floor });
      for (const [id, position] of Object.entries(after)) {
        at.set(id, position);
        listed.set(id, position);
      }
      // Conversations with nothing after the floor: what they hold was delivered before it.
      const inBacklog = new Set(backlog.map((i) => i.conversationId));
      for (const id of conversationIds) if (!at.has(id) && !inBacklog.has(id)) at.set(id, heads[id] ?? 0);
    } else {
      floor = single ? new Date(0) : new Date((await deps.store.now()).getTime() - IN_FLIGHT_MARGIN_MS);
      for (const id of conversationIds) at.set(id, heads[id] ?? 0);
      if (!single) {
        // Recent activity is listed in the id, so a resume does not replay it.
        const recent = await deps.store.streamHeads(kind, conversationIds, floor);
        for (const [id, position] of Object.entries(recent)) listed.set(id, Math.min(position, heads[id] ?? position));
      }
      // Whatever committed between the heads and now: nothing, or a few duplicates of live events.
      backlog = await readAll({ conversationIds, after: Object.fromEntries(at), since: null });
    }
  } catch (error) {
    subscription.close();
    throw error;
  }

  const emit = (item: Item<K>): TrackedEnvelope<Out<K>> | null => {
    const position = positionOf(item);
    const last = at.get(item.conversationId);
    if (last !== undefined && position <= last) return null;
    at.set(item.conversationId, position);
    if (single) return tracked(encodeSingle(position), toEvent(item) as Out<K>);
    listed.set(item.conversationId, position);
    return tracked(encodeMulti(floor, listed), toEvent(item) as Out<K>);
  };

  /** What a queued signal adds to the stream, in order. */
  const itemsFor = async (next: Queued): Promise<Array<Item<K>>> => {
    if ('resync' in next) return readAll({ conversationIds: [...at.keys()], after: Object.fromEntries(at), since: null });
    if (next.live.t === 'membership' && !single) {
      const id = next.live.conversationId;
      if (at.has(id)) return [];
      at.set(id, 0);
      await subscription.add(topics.conversation(id));
      return readAll({ conversationIds: [id], after: { [id]: 0 }, since: null });
    }
    const item = itemOf(kind, next.live);
    if (!item) return [];
    const last = at.get(item.conversationId);
    if (last === undefined || positionOf(item) <= last) return [];
    if (positionOf(item) === last + 1) return [item];
    return readAll({ conversationIds: [item.conversationId], after: { [item.conversationId]: last }, since: null });
  };

  return (async function* stream() {
    try {
      for (const item of backlog) {
        const out = emit(item);
        if (out) yield out;
      }
      backlog = [];
      for (;;) {
        const next = await queue.next(signal);
        if (next === undefined) return;
        for (const item of await itemsFor(next)) {
          const out = emit(item);
          if (out) yield out;
        }
      }
    } finally {
      subscription.close();
    }
  })();
}
