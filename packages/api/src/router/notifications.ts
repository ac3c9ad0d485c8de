import { authedProcedure, router } from '../trpc.ts';
import { listNotificationsInput } from '../schema/inputs.ts';
import { asBadRequest } from '../services/store-input.ts';

export const notificationsRouter = router({
  /** The caller's offline notifications kept by the outbox notifier (`NOTIFIER=outbox`), newest first. */
  list: authedProcedure.input(listNotificationsInput).query(({ ctx, input }) =>
    asBadRequest(() => ctx.deps.store.listNotifications(ctx.identity.userId, { limit: input?.limit ?? 20, cursor: input?.cursor ?? null })),
  ),
});
