import type { BusEvent } from '@parley/api/schema';
import type { Listener } from '@parley/api';

/**
 * The local side of fan-out: which listeners of this process follow which topic. It tells its owner
 * when a topic gains its first listener or loses its last, so the broker is subscribed lazily.
 */
export class Hub {
  readonly #byTopic = new Map<string, Set<Listener>>();
  readonly #onFirst: (topic: string) => void;
  readonly #onLast: (topic: string) => void;

  constructor(options: { onFirst: (topic: string) => void; onLast: (topic: string) => void }) {
    this.#onFirst = options.onFirst;
    this.#onLast = options.onLast;
  }

  /** True when this is the topic's first listener. */
  add(topic: string, listener: Listener): boolean {
    let set = this.#byTopic.get(topic);
    const first = !set;
    if (!set) this.#byTopic.set(topic, (set = new Set()));
    set.add(listener);
    if (first) this.#onFirst(topic);
    return first;
  }

  delete(topic: string, listener: Listener): void {
    const set = this.#byTopic.get(topic);
    if (!set?.delete(listener) || set.size > 0) return;
    this.#byTopic.delete(topic);
    this.#onLast(topic);
  }

  deliver(topic: string, event: BusEvent, onError: (error: unknown) => void): void {
    const set = this.#byTopic.get(topic);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(topic, event);
      } catch (error) {
        onError(error);
      }
    }
  }

  has(topic: string): boolean {
    return this.#byTopic.has(topic);
  }

  topicCount(): number {
    return this.#byTopic.size;
  }
}
