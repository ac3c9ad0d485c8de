import { TRPCError } from '@trpc/server';
import { asBadRequest } from '../services/store-input.ts';
import { authedProcedure, router } from '../trpc.ts';
import { createConversationInput, historyInput, listConversationsInput } from '../schema/inputs.ts';
import { topics } from '../schema/bus.ts';

export const conversationsRouter = router({
  create: authedProcedure.input(createConversationInput).mutation(async ({ ctx, input }) => {
    const { deps, identity } = ctx;
    const others = [...new Set(input.memberIds)].filter((id) => id !== identity.userId);
    if (others.length === 0) throw new TRPCError({ code: 'BAD_REQUEST', message: 'memberIds: name at least one other user' });
    const found = new Set((await deps.store.getUsers(others)).map((u) => u.id));
    const missing = others.filter((id) => !found.has(id));
    if (missing.length) {
      const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
      throw new TRPCError({ code: 'NOT_FOUND', message: `memberIds: unknown user ${shown}` });
    }
    const conversation = await deps.store.createConversation({
      memberIds: [identity.userId, ...others],
      title: input.title ? input.title : null,
    });
    // Open all-conversations subscriptions of every member start following it.
    for (const userId of conversation.memberIds) {
      deps.realtime.publish(topics.user(userId), { t: 'membership', userId, conversationId: conversation.id });
    }
    return conversation;
  }),

  list: authedProcedure.input(listConversationsInput).query(({ ctx, input }) =>
    asBadRequest(() => ctx.deps.store.listConversations(ctx.identity.userId, { limit: input?.limit ?? 20, cursor: input?.cursor ?? null })),
  ),

  history: authedProcedure.input(historyInput).query(async ({ ctx, input }) => {
    await ctx.membership.require(input.conversationId, ctx.identity.userId);
    return ctx.deps.store.history(input.conversationId, { beforeSeq: input.beforeSeq ?? null, limit: input.limit ?? 50 });
  }),
});
