/**
 * The buffer between synchronous listeners and an async generator. Bounded: a consumer that falls
 * this far behind is ended with an error and resumes from its last event id instead of growing memory.
 */
export class AsyncQueue<T> {
  readonly #items: T[] = [];
  #head = 0;
  #wake: (() => void) | null = null;
  #failed: Error | null = null;
  readonly #max: number;

  /** @param max buffered items before the consumer is failed @default 10000 */
  constructor(max = 10_000) {
    this.#max = max;
  }

  push(item: T): void {
    if (this.#failed) return;
    if (this.#items.length - this.#head >= this.#max) {
      this.#failed = new Error('subscriber too slow: resubscribe with lastEventId');
    } else {
      this.#items.push(item);
    }
    this.#wake?.();
  }

  /** The next item, or `undefined` once `signal` aborts. */
  async next(signal: AbortSignal | undefined): Promise<T | undefined> {
    for (;;) {
      if (this.#failed) throw this.#failed;
      if (this.#head < this.#items.length) {
        const item = this.#items[this.#head++] as T;
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
          this.#items.splice(0, this.#head);
          this.#head = 0;
        }
        return item;
      }
      if (signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#wake = null;
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.#wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}
