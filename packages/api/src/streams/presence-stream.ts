import { topics, type BusEvent } from '../schema/bus.ts';
import type { PresenceEvent, PresenceState } from '../schema/shapes.ts';
import type { Deps } from '../ports.ts';
import { toPresence, usersWithPresence } from '../services/presence-view.ts';
import { AsyncQueue } from './async-queue.ts';
import { openTopics } from './open-topics.ts';

function sameState(a: PresenceState | undefined, b: PresenceState): boolean {
  return (
    a !== undefined &&
    a.online === b.online &&
    a.status === b.status &&
    a.statusText === b.statusText &&
    a.connections === b.connections &&
    a.lastSeenAt?.getTime() === b.lastSeenAt?.getTime()
  );
}

/**
 * `chat.presence`: a snapshot of every contact (and the user), then changes and typing. Presence is
 * published on each conversation a user is in, so the same change can arrive on several topics: it
 * is state, not history, and an unchanged state is not sent twice.
 */
export async function openPresenceStream(options: { deps: Deps; userId: string; signal: AbortSignal }): Promise<AsyncGenerator<PresenceEvent, void, unknown>> {
  const { deps, userId, signal } = options;
  const queue = new AsyncQueue<BusEvent>();
  const conversationIds = await deps.store.conversationIdsOf(userId);
  const subscription = await openTopics(deps, signal, {
    topics: [topics.user(userId), ...conversationIds.map(topics.conversation)],
    listener: (_topic, event) => queue.push(event),
  });
  const known = new Set(conversationIds);
  const sent = new Map<string, PresenceState>();
  return (async function* stream() {
    try {
      const snapshotOf = async (ids: string[]) =>
        (await usersWithPresence(deps, ids)).map(({ record, connections }) => toPresence(record, connections));

      const contacts = await deps.store.contactIdsOf(userId);
      for (const state of await snapshotOf([userId, ...contacts])) {
        sent.set(state.userId, state);
        yield state;
      }
      for (;;) {
        const event = await queue.next(signal);
        if (event === undefined) return;
        if (event.t === 'presence') {
          if (sameState(sent.get(event.state.userId), event.state)) continue;
          sent.set(event.state.userId, event.state);
          yield event.state;
        } else if (event.t === 'typing') {
          if (event.userId !== userId) yield { type: 'typing', conversationId: event.conversationId, userId: event.userId, isTyping: event.isTyping };
        } else if (event.t === 'membership' && !known.has(event.conversationId)) {
          known.add(event.conversationId);
          await subscription.add(topics.conversation(event.conversationId));
          const conversation = await deps.store.getConversation(event.conversationId);
          const fresh = (conversation?.memberIds ?? []).filter((id) => !sent.has(id));
          for (const state of await snapshotOf(fresh)) {
            sent.set(state.userId, state);
            yield state;
          }
        }
      }
    } finally {
      subscription.close();
    }
  })();
}
