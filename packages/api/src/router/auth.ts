import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { authedProcedure, publicProcedure, router } from '../trpc.ts';
import { devLoginInput, emptyInput } from '../schema/inputs.ts';
import { topics } from '../schema/bus.ts';
import { publishPresence, toUser } from '../services/presence-view.ts';

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;

export const authRouter = router({
  devLogin: publicProcedure.input(devLoginInput).mutation(async ({ ctx, input }) => {
    const { deps } = ctx;
    if (deps.auth.mode !== 'dev') throw new TRPCError({ code: 'FORBIDDEN', message: 'auth.devLogin is only available with AUTH_MODE=dev' });
    const userId = input.userId ?? newId('u');
    const user = await deps.store.upsertUser({ id: userId, displayName: input.displayName });
    const sessionId = newId('s');
    await deps.store.createSession({ id: sessionId, userId });
    const token = await deps.auth.issue({ userId, sessionId });
    const counts = await deps.presence.connectionCounts([userId]);
    return { token, user: toUser(user, counts.get(userId) ?? 0), sessionId };
  }),

  logout: authedProcedure.input(emptyInput).mutation(async ({ ctx }) => {
    const { deps, identity } = ctx;
    await deps.store.endSession(identity.sessionId, new Date());
    // Every instance closes this session's sockets (code 4401) when it sees this.
    deps.realtime.publish(topics.user(identity.userId), { t: 'session.end', userId: identity.userId, sessionId: identity.sessionId, reason: 'logout' });
    await publishPresence(deps, identity.userId);
    return { ok: true as const };
  }),
});
