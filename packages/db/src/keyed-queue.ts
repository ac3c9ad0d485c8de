/**
 * Runs the tasks of one key one after another and those of different keys concurrently. The stores
 * queue their writes to one stream (a conversation's messages or receipts, a user's sign events) so
 * that writers of this process do not race each other for the same position: only other processes
 * can. On Firestore that saves retries (`create()` settles the race: a burst of N local sends would
 * cost on the order of N² attempts); on Postgres it keeps a burst from holding every pooled connection
 * waiting on one conversation's row lock. Either way the calls resolve in position order, so what
 * the caller publishes next reaches subscribers in order instead of as gaps they must read back.
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
