/**
 * Runs the tasks of one key one after another and those of different keys concurrently. The store
 * queues its writes to one stream (a conversation's messages, a user's sign events) so that writers of
 * this process do not race each other for the same position: only other processes can, and `create()`
 * settles those. Without it a burst of N local sends costs on the order of N² attempts.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
