import { ExpiringMap } from './expiring-map.ts';

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
  readonly #entries = new ExpiringMap<'pending' | 'sent'>(LEDGER_TTL_MS);

  async claim(messageId: string, recipientId: string): Promise<boolean> {
    const key = `${messageId}\n${recipientId}`;
    if (this.#entries.get(key)) return false;
    this.#entries.set(key, 'pending');
    return true;
  }

  async sent(messageId: string, recipientId: string): Promise<void> {
    this.#entries.set(`${messageId}\n${recipientId}`, 'sent');
  }

  async release(messageId: string, recipientId: string): Promise<void> {
    const key = `${messageId}\n${recipientId}`;
    if (this.#entries.get(key) === 'pending') this.#entries.delete(key);
  }
}
