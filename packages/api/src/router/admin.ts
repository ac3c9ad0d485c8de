import { TRPCError } from '@trpc/server';
import { serviceProcedure, router } from '../trpc.ts';
import { broadcastInput, sendToUserInput, userStatusInput } from '../schema/inputs.ts';
import { topics } from '../schema/bus.ts';

export const adminRouter = router({
  stats: serviceProcedure.query(async ({ ctx }) => {
    const { presence, config } = ctx.deps;
    const stats = await presence.stats();
    return {
      totalConnections: stats.connections,
      connectedUsers: stats.users,
      instances: stats.instances,
      pingIntervalSeconds: config.pingIntervalMs / 1000,
      sessionIdleTimeoutSeconds: config.sessionIdleTimeoutMs / 1000,
    };
  }),

  userStatus: serviceProcedure.input(userStatusInput).query(async ({ ctx, input }) => {
    const user = await ctx.deps.store.getUser(input.userId);
    if (!user) throw new TRPCError({ code: 'NOT_FOUND', message: `userId: no user ${input.userId}` });
    const connections = (await ctx.deps.presence.connectionCounts([user.id])).get(user.id) ?? 0;
    return { userId: user.id, isConnected: connections > 0, connections, status: user.status };
  }),

  sendToUser: serviceProcedure.input(sendToUserInput).mutation(async ({ ctx, input }) => {
    const user = await ctx.deps.store.getUser(input.userId);
    if (!user) throw new TRPCError({ code: 'NOT_FOUND', message: `userId: no user ${input.userId}` });
    const delivered = (await ctx.deps.presence.connectionCounts([user.id])).get(user.id) ?? 0;
    ctx.deps.realtime.publish(topics.user(user.id), {
      t: 'notify',
      event: { type: 'notification', kind: input.type, data: input.data, timestamp: new Date() },
    });
    return { delivered };
  }),

  broadcast: serviceProcedure.input(broadcastInput).mutation(async ({ ctx, input }) => {
    const { users } = await ctx.deps.presence.stats();
    ctx.deps.realtime.publish(topics.all, {
      t: 'notify',
      event: { type: 'notification', kind: input.type, data: input.data, timestamp: new Date() },
      ...(input.excludeUserId ? { excludeUserId: input.excludeUserId } : {}),
    });
    return { recipients: users.filter((id) => id !== input.excludeUserId).length };
  }),
});
