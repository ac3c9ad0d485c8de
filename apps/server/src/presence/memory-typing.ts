import type { TypingTracker } from '@parley/api';

export interface TypingOptions {
  /** Quiet time after which a typist is reported as stopped. @default 6000 */
  timeoutMs?: number;
  /** Called once when a typist goes quiet; the caller broadcasts `isTyping: false`. */
  onExpire: (conversationId: string, userId: string) => void;
}

/** Typing state of one process, with one timer per active typist. */
export class MemoryTyping implements TypingTracker {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #timeoutMs: number;
  readonly #onExpire: TypingOptions['onExpire'];

  constructor(options: TypingOptions) {
    this.#timeoutMs = options.timeoutMs ?? 6000;
    this.#onExpire = options.onExpire;
  }

  async start(conversationId: string, userId: string): Promise<boolean> {
    const key = `${conversationId}\u0000${userId}`;
    const existing = this.#timers.get(key);
    if (existing) {
      existing.refresh();
      return false;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#onExpire(conversationId, userId);
    }, this.#timeoutMs);
    timer.unref();
    this.#timers.set(key, timer);
    return true;
  }

  async stop(conversationId: string, userId: string): Promise<boolean> {
    const key = `${conversationId}\u0000${userId}`;
    const timer = this.#timers.get(key);
    if (!timer) return false;
    clearTimeout(timer);
    this.#timers.delete(key);
    return true;
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
