import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, router } from '../trpc.ts';
import { id } from '../schema/inputs.ts';
import { usersWithPresence, toUser } from '../services/presence-view.ts';

/** Up to a page of people at once: a conversation view, or the ids typed into "new conversation". */
const profilesInput = z.object({ ids: z.array(id).min(1).max(100) });

export const usersRouter = router({
  me: authedProcedure.query(async ({ ctx }) => {
    const [found] = await usersWithPresence(ctx.deps, [ctx.identity.userId]);
    if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'user not found' });
    return toUser(found.record, found.connections);
  }),

  /**
   * Display names of other people, so clients need not show bare ids. Only the name: status and
   * presence stay with contacts (`chat.presence`). Ids that never signed in are left out.
   */
  profiles: authedProcedure.input(profilesInput).query(async ({ ctx, input }) => {
    const records = await ctx.deps.store.getUsers([...new Set(input.ids)]);
    return records.map((record) => ({ id: record.id, displayName: record.displayName }));
  }),
});
