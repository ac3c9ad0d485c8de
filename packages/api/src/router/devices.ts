import { authedProcedure, router } from '../trpc.ts';
import { registerDeviceInput } from '../schema/inputs.ts';

export const devicesRouter = router({
  /** Registers this device's push token for offline notifications (`NOTIFIER=fcm`). */
  register: authedProcedure.input(registerDeviceInput).mutation(async ({ ctx, input }) => {
    const device = await ctx.deps.store.registerDevice({ userId: ctx.identity.userId, token: input.token, platform: input.platform });
    return { token: device.token, platform: device.platform, updatedAt: device.updatedAt };
  }),
});
