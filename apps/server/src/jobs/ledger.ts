/**
 * Makes each offline notification go out at most once per (message, recipient), across retries,
 * restarts and several workers: a sender claims it first, and only the claim's winner sends. A claim
 * whose send may have gone out (a crash, a timeout) is never handed out again.
 */
export interface DeliveryLedger {
  /** True for exactly one caller, until `release`. */
  claim(messageId: string, recipientId: string): Promise<boolean>;
  /** It went out. */
  sent(messageId: string, recipientId: string): Promise<void>;
  /** It certainly did not go out: a later attempt may claim it. */
  release(messageId: string, recipientId: string): Promise<void>;
}

/** How long a ledger entry is kept: far longer than any job's retries. */
export const LEDGER_TTL_MS = 7 * 24 * 3600_000;

export class MemoryLedger implements DeliveryLedger {
  readonly #entries = new Map<string, { state: 'pending' | 'sent'; until: number }>();

  async claim(messageId: string, recipientId: string): Promise<boolean> {
    const key = `${messageId}\n${recipientId}`;
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry && entry.until > now) return false;
    this.#entries.set(key, { state: 'pending', until: now + LEDGER_TTL_MS });
    if (this.#entries.size > 100_000) for (const [k, e] of this.#entries) if (e.until <= now) this.#entries.delete(k);
    return true;
  }

  async sent(messageId: string, recipientId: string): Promise<void> {
    this.#entries.set(`${messageId}\n${recipientId}`, { state: 'sent', until: Date.now() + LEDGER_TTL_MS });
  }

  async release(messageId: string, recipientId: string): Promise<void> {
    const key = `${messageId}\n${recipientId}`;
    if (this.#entries.get(key)?.state === 'pending') this.#entries.delete(key);
  }
}
