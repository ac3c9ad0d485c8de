import type { Deps, Listener, TopicSubscription } from '../ports.ts';

/**
 * Subscribes to topics and waits until events of every instance reach the listener. Closed when
 * `signal` aborts, even if the stream it feeds was never iterated (a socket that closed between the
 * subscribe call and its first read).
 */
export async function openTopics(
  deps: Deps,
  signal: AbortSignal,
  options: { topics: string[]; listener: Listener; onResync?: () => void },
): Promise<TopicSubscription> {
  const subscription = deps.realtime.subscribe(options.topics, options.listener, options.onResync);
  const close = () => subscription.close();
  if (signal.aborted) close();
  else signal.addEventListener('abort', close, { once: true });
  try {
    await subscription.ready;
  } catch (error) {
    close();
    throw error;
  }
  return subscription;
}
