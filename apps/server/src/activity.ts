import type { ActivityRecorder, Logger } from '@parley/api';
import type { Store } from '@parley/db';

/** Session heartbeats, written in one statement per flush instead of one per call or ping. */
export class BatchedActivity implements ActivityRecorder {
  readonly #pending = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  readonly #store: Store;
  readonly #log: Logger;

  /** @param flushMs how often touched sessions are written @default 1000 */
  constructor(options: { store: Store; log: Logger; flushMs?: number }) {
    this.#store = options.store;
    this.#log = options.log;
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 1000);
    this.#timer.unref();
  }

  touch(sessionId: string): void {
    this.#pending.add(sessionId);
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const ids = [...this.#pending];
    this.#pending.clear();
    try {
      await this.#store.touchSessions(ids, new Date());
    } catch (error) {
      this.#log.warn('could not record session activity', { error: String(error), sessions: ids.length });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
