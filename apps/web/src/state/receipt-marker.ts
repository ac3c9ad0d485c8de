import type { ParleyClient } from '@/trpc/client';

type Kind = 'delivered' | 'read';

interface Marks {
  delivered: number;
  read: number;
}

/**
 * Coalesces `chat.markDelivered` / `chat.markRead`: a burst of messages becomes one call per
 * conversation with the highest seq, read makes a pending delivered redundant (read implies delivered),
 * and a seq already marked is never sent again. A mark lost with the socket is retried on `flush`.
 */
export class ReceiptMarker {
  readonly #client: ParleyClient;
  readonly #wanted = new Map<string, Marks>();
  readonly #sent = new Map<string, Marks>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(client: ParleyClient) {
    this.#client = client;
  }

  mark(conversationId: string, kind: Kind, seq: number): void {
    const sent = this.#sent.get(conversationId) ?? { delivered: 0, read: 0 };
    if (sent[kind] >= seq || (kind === 'delivered' && sent.read >= seq)) return;
    const wanted = this.#wanted.get(conversationId) ?? { delivered: 0, read: 0 };
    wanted[kind] = Math.max(wanted[kind], seq);
    this.#wanted.set(conversationId, wanted);
    this.#schedule();
  }

  /** Sends what is waiting now (after a reconnect, or when the page is about to hide). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#closed) return;
    const batch = [...this.#wanted];
    this.#wanted.clear();
    for (const [conversationId, wanted] of batch) {
      const sent = this.#sent.get(conversationId) ?? { delivered: 0, read: 0 };
      if (wanted.read > sent.read) this.#send(conversationId, 'read', wanted.read);
      else if (wanted.delivered > Math.max(sent.delivered, sent.read)) this.#send(conversationId, 'delivered', wanted.delivered);
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => this.flush(), 150);
  }

  #send(conversationId: string, kind: Kind, seq: number): void {
    const sent = this.#sent.get(conversationId) ?? { delivered: 0, read: 0 };
    const previous = sent[kind];
    this.#sent.set(conversationId, { ...sent, [kind]: seq });
    const call = kind === 'read' ? this.#client.chat.markRead : this.#client.chat.markDelivered;
    call.mutate({ conversationId, seq }).catch(() => {
      // Lost with the socket (or refused): forget it was sent, so the next flush tries again.
      const now = this.#sent.get(conversationId);
      if (now && now[kind] === seq) this.#sent.set(conversationId, { ...now, [kind]: previous });
      // Not rescheduled here: retrying into a closed socket would spin; the next reconnect flushes it.
      const wanted = this.#wanted.get(conversationId) ?? { delivered: 0, read: 0 };
      this.#wanted.set(conversationId, { ...wanted, [kind]: Math.max(wanted[kind], seq) });
    });
  }
}
