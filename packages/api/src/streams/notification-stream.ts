import { topics, type BusEvent } from '../schema/bus.ts';
import type { NotificationEvent } from '../schema/shapes.ts';
import type { Deps } from '../ports.ts';
import { AsyncQueue } from './async-queue.ts';
import { openTopics } from './open-topics.ts';

/** `chat.notifications`: service messages to the user, broadcasts, and this session's timeout notice. */
export async function openNotificationStream(options: {
  deps: Deps;
  userId: string;
  sessionId: string;
  signal: AbortSignal;
}): Promise<AsyncGenerator<NotificationEvent, void, unknown>> {
  const { deps, userId, sessionId, signal } = options;
  const queue = new AsyncQueue<BusEvent>();
  const subscription = await openTopics(deps, signal, {
    topics: [topics.user(userId), topics.all],
    listener: (_topic, event) => queue.push(event),
  });
  return (async function* stream() {
    try {
      for (;;) {
        const event = await queue.next(signal);
        if (event === undefined) return;
        if (event.t === 'notify' && event.excludeUserId !== userId) yield event.event;
        if (event.t === 'session.end' && event.sessionId === sessionId && event.event) yield event.event;
      }
    } finally {
      subscription.close();
    }
  })();
}
