import { Collected } from './client.ts';

interface Subscribable<I, O> {
  subscribe(input: I, opts: { onData: (value: O) => void; onError: (error: unknown) => void; onStarted?: () => void }): { unsubscribe(): void };
}

/** Subscribes and resolves once the server has started the subscription. */
export async function collect<I, O>(proc: Subscribable<I, O>, input: I) {
  const collected = new Collected<O>();
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const sub = proc.subscribe(input, {
    onData: (value) => collected.push(value),
    onError: (error) => collected.fail(error),
    onStarted: () => started(),
  });
  await ready;
  return Object.assign(collected, { unsubscribe: () => sub.unsubscribe() });
}
