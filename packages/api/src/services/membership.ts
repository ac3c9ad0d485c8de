import { TRPCError } from '@trpc/server';
import type { Store } from '@parley/db';

/**
 * Membership checks on the hot path (every send, mark and typing call). Members are never removed in
 * v1 of the contract, so a positive answer can be remembered; the cache is bounded.
 */
export class MembershipCheck {
  readonly #known = new Set<string>();
  readonly #store: Store;
  readonly #max: number;

  /** @param max remembered (conversation, user) pairs @default 100000 */
  constructor(store: Store, max = 100_000) {
    this.#store = store;
    this.#max = max;
  }

  async require(conversationId: string, userId: string): Promise<void> {
    const key = `${conversationId}\u0000${userId}`;
    if (this.#known.has(key)) return;
    if (await this.#store.isMember(conversationId, userId)) {
      if (this.#known.size >= this.#max) this.#known.clear();
      this.#known.add(key);
      return;
    }
    const conversation = await this.#store.getConversation(conversationId);
    if (!conversation) throw new TRPCError({ code: 'NOT_FOUND', message: `conversationId: no conversation ${conversationId}` });
    throw new TRPCError({ code: 'FORBIDDEN', message: `conversationId: you are not a member of ${conversationId}` });
  }
}
