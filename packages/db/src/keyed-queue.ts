interface Entry {
  task: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs the tasks of one key one after another and those of different keys concurrently. The stores
 * queue their writes to one stream (a conversation's messages or receipts, a user's sign events) so
 * that writers of this process do not race each other for the same position: only other processes
 * can. On Firestore that saves retries (`create()` settles the race: a burst of N local sends would
 * cost on the order of N² attempts); on Postgres it keeps a burst from holding every pooled connection
 * waiting on one conversation's row lock. Either way the calls resolve in position order, so what
 * the caller publishes next reaches subscribers in order instead of as gaps they must read back.
 *
 * The next task of a key starts as soon as the previous one settles, before that one's caller
 * resumes: its round trip overlaps with whatever the caller does next (a send's fan-out).
 */
export class KeyedQueue {
  readonly #waiting = new Map<string, Entry[]>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { task, resolve: resolve as (value: unknown) => void, reject };
      const queue = this.#waiting.get(key);
      if (queue) {
        queue.push(entry);
        return;
      }
      const fresh: Entry[] = [];
      this.#waiting.set(key, fresh);
      this.#start(key, fresh, entry);
    });
  }

  #start(key: string, queue: Entry[], entry: Entry): void {
    let running: Promise<unknown>;
    try {
      running = entry.task();
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => {
        this.#next(key, queue);
        entry.resolve(value);
      },
      (error: unknown) => {
        this.#next(key, queue);
        entry.reject(error);
      },
    );
  }

  #next(key: string, queue: Entry[]): void {
    const next = queue.shift();
    if (next) this.#start(key, queue, next);
    else this.#waiting.delete(key);
  }
}
