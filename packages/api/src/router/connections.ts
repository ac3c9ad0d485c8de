import { authedProcedure, router } from '../trpc.ts';

export const connectionsRouter = router({
  info: authedProcedure.query(async ({ ctx }) => {
    const { presence } = ctx.deps;
    const [mine, cluster] = await Promise.all([presence.connectionsOf(ctx.identity.userId), presence.stats()]);
    const local = presence.localStats();
    return {
      mine,
      instance: { id: local.id, connections: local.connections, users: local.users },
      cluster: { instances: cluster.instances, connections: cluster.connections, users: cluster.users.length },
    };
  }),
});
