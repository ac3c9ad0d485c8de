import { TRPCError } from '@trpc/server';
import { authedProcedure, router } from '../trpc.ts';
import { usersWithPresence, toUser } from '../services/presence-view.ts';

export const usersRouter = router({
  me: authedProcedure.query(async ({ ctx }) => {
    const [found] = await usersWithPresence(ctx.deps, [ctx.identity.userId]);
    if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'user not found' });
    return toUser(found.record, found.connections);
  }),
});
